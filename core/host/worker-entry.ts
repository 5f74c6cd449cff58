import { runWorker } from '../service/jobs/worker.ts'
import type { FromWorker, ToWorker } from '../service/jobs/protocol.ts'

// A job's own process (child_process.fork). Exits when the run ends or the parent goes.
if (!process.send) {
  process.stderr.write('worker-entry must be started by the job runner (it needs an IPC channel)\n')
  process.exit(2)
}
process.on('disconnect', () => process.exit(0))
// process.send only queues large messages (megabyte artifacts); disconnecting with some
// still queued drops them, the final 'done' included. Count them and wait for the last.
let pending = 0
let drained: (() => void) | null = null
await runWorker(
  (m: FromWorker) => {
    pending++
    process.send!(m, undefined, undefined, () => {
      if (--pending === 0) drained?.()
    })
  },
  (handler) => process.on('message', (m) => handler(m as ToWorker)),
)
if (pending > 0) await new Promise<void>((resolve) => (drained = resolve))
process.disconnect()
