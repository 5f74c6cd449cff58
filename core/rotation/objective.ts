import type { LayerData } from '../jacobian/layer-data.ts'
import { RotatedLayer, forEachChunk } from '../jacobian/rotated.ts'
import { type Mat, mat, matmulTN } from '../linalg/matrix.ts'
import type { Measure } from '../sparsity/measures/index.ts'

export interface LayerObjective {
  /** L_k = mean over the inputs of S(J_k(x)). */
  readonly value: number
  /** ∂L_k/∂R_k (Euclidean), when asked for. */
  readonly gradOut: Mat | null
  /** ∂L_k/∂R_{k-1} (Euclidean), when asked for. */
  readonly gradIn: Mat | null
}

/**
 * The layer objective L = mean_x S(J(x)) and its gradients (DESIGN.md §2):
 *   ∂L/∂R_out = (1/n) Σ_x G_x·Mᵀ·D_x                 (G_x = ∂S/∂J at x, M = W·R_inᵀ)
 *   ∂L/∂R_in  = (1/n) Σ_x G_xᵀ·R_out·D_x·W
 * each a dense matmul over the stacked chunk. `rIn`/`rOut` null mean the fixed identity
 * (pixels, logits).
 */
export function layerObjective(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  want: { in: boolean; out: boolean },
): LayerObjective {
  const layer = new RotatedLayer(data, rIn, rOut)
  const { outDim, inDim } = data
  const size = outDim * inDim
  const accOut = want.out ? new Float64Array(outDim * outDim) : null
  const accIn = want.in ? new Float64Array(outDim * inDim) : null
  let total = 0
  try {
    forEachChunk(data, (d, count) => {
      const j = layer.jacobians(d, count)
      const per = new Float64Array(count)
      const g = accOut || accIn ? new Float32Array(count * size) : null
      measure.evaluate(j, count, size, per, g)
      for (const v of per) total += v
      if (g && accOut) layer.accumulateGradOut(g, d, count, accOut)
      if (g && accIn) layer.accumulateGradInFactor(g, d, count, accIn)
    })
  } finally {
    layer.dispose()
  }
  const n = data.derivatives ? data.n : 1
  const averaged = (acc: Float64Array | null, rows: number, cols: number): Mat | null =>
    acc
      ? mat(
          rows,
          cols,
          acc.map((v) => v / n),
        )
      : null
  const factor = averaged(accIn, outDim, inDim)
  return {
    value: total / n,
    gradOut: averaged(accOut, outDim, outDim),
    gradIn: factor ? matmulTN(factor, mat(outDim, inDim, data.weight)) : null,
  }
}
