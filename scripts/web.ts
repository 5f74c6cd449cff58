import { ensureRendererBuilt } from './renderer-build.ts'

// `npm run web`: build the renderer if its sources changed, then start the web host.
await ensureRendererBuilt((line) => process.stderr.write(line + '\n'))
await import('../core/host/web-entry.ts')
