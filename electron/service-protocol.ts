import type { EventMessage, Reply } from '../core/api/contract.ts'
import type { FromWorker, ToWorker } from '../core/service/jobs/protocol.ts'

/**
 * Messages between the main process and the service's utility process (DESIGN.md §3: the
 * service and its SQLite connections live there, not in main). Main forwards the page's
 * validated requests and gets replies and events back. Job workers are utility processes
 * too, and only main may fork those: the service asks main to fork one and main relays that
 * worker's messages both ways (structured clone, so artifacts' typed arrays pass as they are).
 */

/** How the service is set up; main knows the paths (Electron's app API lives there). */
export interface ServiceInit {
  readonly workspaceDir: string
  readonly presetsDir: string
  readonly exportDir: string
  readonly concurrency: number
  readonly recordRecents: boolean
}

export type ToService =
  | { type: 'init'; options: ServiceInit }
  | { type: 'call'; callId: number; request: unknown }
  | { type: 'worker.message'; workerId: number; message: FromWorker }
  | { type: 'worker.exit'; workerId: number; code: number | null; stderrTail: string }
  | { type: 'close' }

export type FromService =
  /** The process listens: main may send `init` (messages sent earlier could be lost). */
  | { type: 'booted' }
  | { type: 'ready' }
  | { type: 'init-failed'; message: string }
  | { type: 'reply'; callId: number; reply: Reply }
  | { type: 'event'; message: EventMessage }
  | { type: 'worker.fork'; workerId: number }
  | { type: 'worker.send'; workerId: number; message: ToWorker }
  | { type: 'worker.kill'; workerId: number }
  | { type: 'closed' }
