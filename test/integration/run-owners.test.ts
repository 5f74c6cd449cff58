import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../core/api/records.ts'
import { call, serviceFactory, tinyConfig } from '../helpers/service.ts'

/**
 * Issue 13 D2: a run live in one process is never marked interrupted by another process that
 * opens the project (`projects show`, a service's projects.open); a run whose process was
 * killed is. Real processes: `basiscope run --project` in a child, the CLI in another.
 */

const BIN = resolve('bin/basiscope.js')
const dir = mkdtempSync(join(tmpdir(), 'trust-store-owners-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const services = serviceFactory()
afterEach(() => services.closeAll())

/** `basiscope run CONFIG --project FILE` in its own process group (its worker with it). */
function startRun(file: string, epochs: number): { child: ChildProcess; exited: Promise<number> } {
  const config = join(dir, `config-${epochs}.json`)
  writeFileSync(config, JSON.stringify({ ...tinyConfig, model: { ...tinyConfig.model, epochs } }))
  const child = spawn(process.execPath, [BIN, 'run', config, '--project', file], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number>((r) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) console.error(stderr)
      r(code ?? -1)
    }),
  )
  return { child, exited }
}

/** The run rows as stored, read by this (another) process without the app's code. */
function storedRuns(file: string): { id: number; status: string; error: string | null }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return db.prepare('SELECT id, status, error FROM runs ORDER BY id').all() as {
      id: number
      status: string
      error: string | null
    }[]
  } finally {
    db.close()
  }
}

async function untilRunning(file: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if (storedRuns(file).some((r) => r.status === 'running')) return
    } catch {
      // not created yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no run started in ${file}`)
}

function show(file: string): { runs: RunRecord[] } {
  const r = spawnSync(process.execPath, [BIN, 'projects', 'show', file, '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as { runs: RunRecord[] }
}

describe('run owners across processes', () => {
  it('a live run stays running when other processes open the project, and ends completed', async () => {
    const file = join(dir, 'live.basiscope')
    const { exited } = startRun(file, 30)
    await untilRunning(file)
    // Another process: the CLI's projects show.
    expect(show(file).runs[0].status).toBe('running')
    // Another process: a service opening the project read-write (as the app and web mode do).
    const service = services.make({ workspaceDir: dir })
    await call(service, 'projects.open', { path: file })
    const listed = await call<RunRecord[]>(service, 'runs.list', { project: file })
    expect(listed[0].status).toBe('running')
    expect(storedRuns(file)[0].status).toBe('running')
    expect(await exited).toBe(0)
    expect(storedRuns(file)).toEqual([{ id: 1, status: 'completed', error: null }])
  }, 120_000)

  it('a run whose process was killed is marked interrupted by the next open', async () => {
    const file = join(dir, 'killed.basiscope')
    const { child, exited } = startRun(file, 400)
    await untilRunning(file)
    process.kill(-child.pid!, 'SIGKILL')
    await exited
    // Shown interrupted read-only (nothing written) …
    expect(show(file).runs[0]).toMatchObject({ status: 'interrupted' })
    expect(storedRuns(file)[0].status).toBe('running')
    // … and recorded so by a read-write open.
    const service = services.make({ workspaceDir: dir })
    await call(service, 'projects.open', { path: file })
    expect(storedRuns(file)[0]).toMatchObject({
      status: 'interrupted',
      error: expect.stringMatching(/^interrupted:/),
    })
  }, 120_000)
})
