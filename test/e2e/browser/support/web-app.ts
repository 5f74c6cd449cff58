import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface WebApp {
  /** `http://127.0.0.1:PORT/?token=…` as printed. */
  readonly url: string
  readonly workspace: string
  stop(): Promise<void>
}

/**
 * `npm run web` exactly as a user types it (it builds the renderer when its sources
 * changed), on a fresh workspace and any free port (or BASISCOPE_E2E_PORT, on a machine
 * where ports are handed out); the address is read from its output.
 */
export async function startWebApp(): Promise<WebApp> {
  const workspace = mkdtempSync(join(tmpdir(), 'basiscope-e2e-'))
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const child: ChildProcess = spawn(
    npm,
    ['run', 'web', '--', '--workspace', workspace, '--port', process.env.BASISCOPE_E2E_PORT ?? '0'],
    // Its own process group, so stop() ends npm, tsx and node together.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' } },
  )
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm run web printed no URL within 180 s:\n${output}`)),
      180_000,
    )
    const onData = (d: Buffer) => {
      output += d.toString()
      const m = output.match(/Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`npm run web exited with ${code}:\n${output}`))
    })
  })
  return {
    url,
    workspace,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return
      const exited = new Promise<void>((done) => child.once('exit', () => done()))
      process.kill(-child.pid, 'SIGTERM')
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
