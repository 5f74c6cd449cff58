import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BasiscopeService } from '../service/service.ts'
import { defaultWorkspaceDir } from './project-commands.ts'
import { startWebServer } from './web-server.ts'

// `npm run web`: the backend and the app in a browser, on loopback only, behind a
// per-launch token printed in the URL.
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    workspace: { type: 'string' },
    concurrency: { type: 'string' },
  },
})
const workspaceDir = values.workspace ?? defaultWorkspaceDir()
const service = new BasiscopeService({
  workspaceDir,
  concurrency: values.concurrency ? Math.max(1, Number(values.concurrency)) : 1,
})
const renderer = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const server = await startWebServer({
  handle: (raw) => service.handle(raw),
  subscribe: (listener) => service.subscribe(listener),
  workspaceDir,
  staticDir: existsSync(renderer) ? renderer : null,
  port: values.port ? Number(values.port) : 0,
})
process.stdout.write(`Basiscope (web mode) — workspace ${workspaceDir}\nOpen ${server.url}\n`)

let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await server.close()
  await service.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
