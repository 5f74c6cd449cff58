import type { LayerData } from '../../core/jacobian/layer-data.ts'
import { type Mat, zeros } from '../../core/linalg/matrix.ts'
import { asLayer } from '../../core/model/indices.ts'

/** Deterministic matrix and layer fixtures shared by the tests. */
export function diag(values: ArrayLike<number>): Mat {
  const n = values.length
  const d = zeros(n, n)
  for (let i = 0; i < n; i++) d.data[i * n + i] = values[i]
  return d
}

/** Layer 1 with weight `w` (float32) and the given derivative rows over `n` inputs. */
export function layerOf(w: Mat, derivatives: Float32Array | null, n: number): LayerData {
  return {
    layer: asLayer(1),
    inDim: w.cols,
    outDim: w.rows,
    weight: Float32Array.from(w.data),
    derivatives,
    n,
  }
}
