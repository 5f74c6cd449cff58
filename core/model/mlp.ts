/**
 * The MLP as plain data: what training produces, what import/export read and write,
 * and what the Jacobian and rotation code consume. `a0 = x`, `z_k = W_k a_{k-1} + b_k`,
 * `a_k = σ(z_k)` for k < L, logits `a_L = z_L` (DESIGN.md §1).
 */
import type { Activation } from '../api/config/sections.ts'

// Declared with the run config (one list of activations); named here for the model's readers.
export type { Activation }
export { ACTIVATIONS } from '../api/config/sections.ts'

export interface DenseLayer {
  readonly inDim: number
  readonly outDim: number
  /** [outDim, inDim] row-major, as PyTorch nn.Linear stores it. */
  readonly weight: Float32Array
  /** [outDim] */
  readonly bias: Float32Array
}

export interface MlpParams {
  /** Widths d_0 … d_L, e.g. [784, 128, 128, 10]. */
  readonly sizes: readonly number[]
  readonly activation: Activation
  readonly layers: readonly DenseLayer[]
}

export function layerSizes(layers: readonly DenseLayer[]): number[] {
  return layers.length === 0 ? [] : [layers[0].inDim, ...layers.map((l) => l.outDim)]
}
