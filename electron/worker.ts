import type { ParentPort } from 'electron'
import { serveParentPort } from './worker-port.ts'

/**
 * Entry of a job's utility process (utilityProcess.fork of out/main/worker.js). The runner
 * kills the process once the run has reported its end; leaving a moment first lets the last
 * message cross the port, and a worker whose parent went away does not linger.
 */
const EXIT_GRACE_MS = 1000

// Undefined when this file is run any other way than as a utility process.
const port: ParentPort | undefined = process.parentPort
if (!port) {
  process.stderr.write('worker.js must be started by the Basiscope app (utilityProcess.fork)\n')
  process.exit(2)
}
serveParentPort(port).then(
  () => setTimeout(() => process.exit(0), EXIT_GRACE_MS),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`)
    process.exit(1)
  },
)
