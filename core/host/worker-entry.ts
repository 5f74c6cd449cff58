import { runWorker } from '../service/jobs/worker.ts'
import type { FromWorker, ToWorker } from '../service/jobs/protocol.ts'

// A job's own process (child_process.fork). Exits when the run ends or the parent goes.
if (!process.send) {
  process.stderr.write('worker-entry must be started by the job runner (it needs an IPC channel)\n')
  process.exit(2)
}
process.on('disconnect', () => process.exit(0))
await runWorker(
  (m: FromWorker) => process.send!(m),
  (handler) => process.on('message', (m) => handler(m as ToWorker)),
)
// Let the last IPC message drain before leaving.
process.disconnect()
