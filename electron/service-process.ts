import type { ParentPort } from 'electron'
import { serveService } from './service-host.ts'

/**
 * Entry of the service's utility process (utilityProcess.fork of out/main/service.js): the
 * BasiscopeService and every SQLite connection live here, off the main process. It exits
 * once the service is closed, or when main goes away.
 */
const port: ParentPort | undefined = process.parentPort
if (!port) {
  process.stderr.write('service.js must be started by the Basiscope app (utilityProcess.fork)\n')
  process.exit(2)
}
serveService(port).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
    process.exit(1)
  },
)
