import type { ErrorCode } from '../../errors.ts'
import type { RunSource } from '../../experiment/explore.ts'

/**
 * The input explorer's tasks between the service and its explore worker (one long-lived
 * worker process, started on first use; see ../input-explorer.ts). They ride the job
 * workers' channel (protocol.ts), so Node's child processes and Electron's utility
 * processes carry them unchanged; typed arrays travel by structured clone.
 */

export type ExploreTask =
  /** The held-out list: labels and predictions of every input, and the image size. */
  | { readonly kind: 'index'; readonly source: RunSource }
  /** Pixels of some held-out inputs (positions in the held-out list). */
  | { readonly kind: 'pixels'; readonly source: RunSource; readonly inputs: readonly number[] }
  /** One held-out input's Jacobians in both bases, with its metrics. */
  | { readonly kind: 'jacobians'; readonly source: RunSource; readonly input: number }
  /** nearZero and Hoyer sparsity of every held-out input at one layer, in both bases. */
  | { readonly kind: 'sparsity'; readonly source: RunSource; readonly layer: number }

export type ExploreToWorker =
  | { readonly type: 'task'; readonly taskId: number; readonly task: ExploreTask }
  | { readonly type: 'task-cancel'; readonly taskId: number }

export type ExploreFromWorker =
  | { readonly type: 'task-progress'; readonly taskId: number; readonly fraction: number }
  | { readonly type: 'task-done'; readonly taskId: number; readonly value: unknown }
  | {
      readonly type: 'task-failed'
      readonly taskId: number
      readonly error: { readonly code: ErrorCode; readonly message: string }
    }
