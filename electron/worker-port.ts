import type { FromWorker, ToWorker } from '../core/service/jobs/protocol.ts'
import { runWorker } from '../core/service/jobs/worker.ts'

/** The part of Electron's `process.parentPort` a utility process (job worker, service) uses. */
export interface PortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
}

/**
 * A job's body in a utility process: the same `runWorker` as core/host/worker-entry.ts, with
 * the parent port in place of child-process IPC. Resolves when the run has ended and its last
 * message was posted.
 */
export function serveParentPort(port: PortLike): Promise<void> {
  return runWorker(
    (m: FromWorker) => port.postMessage(m),
    (handler) => port.on('message', (e) => handler(e.data as ToWorker)),
  )
}
