import type { LayerData } from '../jacobian/layer-data.ts'
import { RotatedLayer } from '../jacobian/rotated.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import { rotatedActivations } from './activations.ts'

/**
 * What a learned direction looks like: the inputs that drive it hardest, and (for the
 * first hidden layer) the input pattern it reads — its row of the mean Jacobian.
 */

export const DEFAULT_TOP_ACTIVATING = 9

/**
 * The signed mean Jacobian of a layer over the inputs of `data` in bases (rIn, rOut):
 * mean_x R_out·D(x)·W·R_inᵀ, [outDim × inDim] row-major. For layer 1 with rIn = null
 * (R_0 = I), row i is the input template of direction i (28×28 for MNIST). Since only
 * D(x) depends on x, the mean is R_out·diag(mean_x σ'(z(x)))·W·R_inᵀ exactly: the
 * derivatives are averaged in float64 and the product is one RotatedLayer "sample".
 * For the logit layer (D = I) it is R_out·W·R_inᵀ.
 */
export function meanJacobian(data: LayerData, rIn: Mat | null, rOut: Mat | null): Float32Array {
  const layer = new RotatedLayer(data, rIn, rOut)
  try {
    if (!data.derivatives) return layer.jacobians(null, 1)
    const d = data.outDim
    const sum = new Float64Array(d)
    for (let x = 0; x < data.n; x++)
      for (let i = 0; i < d; i++) sum[i] += data.derivatives[x * d + i]
    const mean = Float32Array.from(sum, (v) => (data.n > 0 ? v / data.n : 0))
    return Float32Array.from(layer.jacobians(mean, 1))
  } finally {
    layer.dispose()
  }
}

/** Row i of a [rows × inDim] mean Jacobian: direction i's input template. */
export function directionTemplate(meanJ: Float32Array, inDim: number, i: number): Float32Array {
  return meanJ.slice(i * inDim, (i + 1) * inDim)
}

/**
 * For each direction i of space k (0 = input, L = logits) in basis `bases[k]`
 * (null = neuron basis), the indices of the `top` inputs of x ([n × d_0]) with the
 * largest rotated activation ã_k[i] = (R_k·a_k)[i], largest first (ties: lower index).
 * Returns one Int32Array of min(top, n) indices per direction.
 */
export function topActivating(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  space: number,
  x: Float32Array,
  n: number,
  top = DEFAULT_TOP_ACTIVATING,
): Int32Array[] {
  const values = rotatedActivations(params, bases[space] ?? null, space, x, n)
  return topPerColumn(values, n, params.sizes[space], top)
}

/**
 * How far each direction's activation moves over the inputs (max − min per column of a
 * [n × d] matrix): 0 for a direction that carries nothing here — a dead unit, or a
 * rotated direction made only of dead ones — whose "top inputs" would be arbitrary.
 */
export function activationSpread(values: ArrayLike<number>, n: number, d: number): Float64Array {
  const lo = new Float64Array(d).fill(Infinity)
  const hi = new Float64Array(d).fill(-Infinity)
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) {
      const v = values[s * d + i]
      if (v < lo[i]) lo[i] = v
      if (v > hi[i]) hi[i] = v
    }
  }
  return Float64Array.from(hi, (h, i) => (n > 0 ? h - lo[i] : 0))
}

/** Row indices of the `top` largest entries of each column of a [n × d] matrix. */
export function topPerColumn(
  values: ArrayLike<number>,
  n: number,
  d: number,
  top: number,
): Int32Array[] {
  const keep = Math.max(0, Math.min(top, n))
  const idx = Array.from({ length: d }, () => new Int32Array(keep))
  const val = Array.from({ length: d }, () => new Float64Array(keep).fill(-Infinity))
  const filled = new Int32Array(d)
  if (keep === 0) return idx
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) {
      const v = values[s * d + i]
      const vi = val[i]
      const f = filled[i]
      // Strictly greater than the current last: earlier inputs win ties.
      if (f === keep && !(v > vi[keep - 1])) continue
      let pos = f < keep ? f : keep - 1
      while (pos > 0 && v > vi[pos - 1]) {
        vi[pos] = vi[pos - 1]
        idx[i][pos] = idx[i][pos - 1]
        pos--
      }
      vi[pos] = v
      idx[i][pos] = s
      if (f < keep) filled[i] = f + 1
    }
  }
  return idx
}
