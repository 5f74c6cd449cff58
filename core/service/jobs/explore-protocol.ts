import type { PerInputSparsity } from '../../analysis/input-ranking.ts'
import type { HeldOutMetrics } from '../../api/summary.ts'
import type { ErrorCode } from '../../errors.ts'
import type { MlpParams } from '../../model/mlp.ts'
import type { BasisChange } from '../../rotation/transform.ts'

/**
 * The input explorer's tasks between the service and its explore worker (one long-lived
 * worker process, started on first use; see ../input-explorer.ts). They ride the job
 * workers' channel (protocol.ts), so Node's child processes and Electron's utility
 * processes carry them unchanged; typed arrays travel by structured clone.
 */

/** What the worker needs to reproduce a run's held-out inputs and its bases. */
export interface RunSource {
  /** Names the run and the artifacts read (a worker keeps what it prepared per key). */
  readonly key: string
  readonly runId: number
  /** The run's recorded config and the folder its relative file paths start from. */
  readonly config: unknown
  readonly baseDir: string
  /** The data's hash as the run recorded it; other data than the run's is refused. */
  readonly datasetSha256: string | null
  readonly params: MlpParams
  /** Per space 0 … L: the learned change of basis, or null where the run kept the neurons. */
  readonly changes: readonly (BasisChange | null)[]
}

export type ExploreTask =
  /** The held-out list: labels and predictions of every input, and the image size. */
  | { readonly kind: 'index'; readonly source: RunSource }
  /** Pixels of some held-out inputs (positions in the held-out list). */
  | { readonly kind: 'pixels'; readonly source: RunSource; readonly inputs: readonly number[] }
  /** One held-out input's Jacobians in both bases, with its metrics. */
  | { readonly kind: 'jacobians'; readonly source: RunSource; readonly input: number }
  /** nearZero and Hoyer sparsity of every held-out input at one layer, in both bases. */
  | { readonly kind: 'sparsity'; readonly source: RunSource; readonly layer: number }

export interface HeldOutIndex {
  /** The model's widths d_0 … d_L. */
  readonly sizes: readonly number[]
  readonly width: number
  readonly height: number
  readonly classes: number
  readonly labels: Uint8Array
  readonly predictions: Int32Array
  /** Canonical dataset index of each held-out input (the split's test list). */
  readonly datasetIndex: Int32Array
}

export interface BasisJacobian {
  readonly jacobian: Float32Array
  readonly maxAbs: number
  readonly metrics: HeldOutMetrics
}

export interface InputJacobiansResult {
  readonly input: number
  readonly logits: Float32Array
  /** The input's pixels, [height × width] in [0, 1]. */
  readonly pixels: Float32Array
  readonly threshold: number
  /** The run's optimized measure, by name. */
  readonly measure: string
  readonly layers: readonly {
    readonly layer: number
    readonly rows: number
    readonly cols: number
    readonly neuron: BasisJacobian
    readonly learned: BasisJacobian
  }[]
}

export interface SparsityResult {
  readonly layer: number
  readonly neuron: PerInputSparsity
  readonly learned: PerInputSparsity
}

export interface ExploreResults {
  index: HeldOutIndex
  /** [inputs × height·width] bytes, 0–255. */
  pixels: Uint8Array
  jacobians: InputJacobiansResult
  sparsity: SparsityResult
}

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
