import { tf } from '../backend/tf.ts'
import { activate } from '../jacobian/activation.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'

/** Rows per tfjs batch, as in core/jacobian/forward.ts. */
const BATCH = 2048

/**
 * Runs layers `from`+1 … `to` of the network on activations of space `from`
 * ([n × d_from] row-major) and returns those of space `to` (a_k = σ(z_k) for hidden k,
 * the logits z_L for k = L). `weights` overrides W_k for the 1-based layers it names.
 * Spaces: 0 is the input, L the logits.
 */
export function propagate(
  params: MlpParams,
  from: number,
  to: number,
  a: Float32Array,
  n: number,
  weights: ReadonlyMap<number, Float32Array> = new Map(),
): Float32Array {
  const L = params.layers.length
  if (from < 0 || to > L || from > to) throw new Error(`propagate: spaces ${from} → ${to}`)
  const sizes = params.sizes
  if (a.length !== n * sizes[from]) throw new Error(`propagate: expected ${n}×${sizes[from]}`)
  if (from === to) return Float32Array.from(a)
  const out = new Float32Array(n * sizes[to])
  // Wᵀ formed once up front: transposed matmuls are much slower on the wasm backend.
  const layerTensors = params.layers.slice(from, to).map((l, i) => ({
    wT: tf.tensor2d(transposeF32(weights.get(from + i + 1) ?? l.weight, l.outDim, l.inDim), [
      l.inDim,
      l.outDim,
    ]),
    b: tf.tensor1d(l.bias),
  }))
  try {
    for (let start = 0; start < n; start += BATCH) {
      const m = Math.min(BATCH, n - start)
      const result = tf.tidy(() => {
        let h = tf.tensor2d(a.subarray(start * sizes[from], (start + m) * sizes[from]), [
          m,
          sizes[from],
        ])
        layerTensors.forEach(({ wT, b }, i) => {
          const k = from + i + 1
          const z = tf.add(tf.matMul(h, wT), b) as tf.Tensor2D
          h = k < L ? (activate(z, params.activation) as tf.Tensor2D) : z
        })
        return h
      })
      out.set(result.dataSync(), start * sizes[to])
      result.dispose()
    }
  } finally {
    tf.dispose(layerTensors.flatMap(({ wT, b }) => [wT, b]))
  }
  return out
}

/** Activations of space k in basis R (ã = R·a for each row; R null = identity). */
export function rotatedActivations(
  params: MlpParams,
  basis: Mat | null,
  space: number,
  x: Float32Array,
  n: number,
): Float32Array {
  const a = propagate(params, 0, space, x, n)
  if (!basis) return a
  const d = params.sizes[space]
  if (basis.rows !== d || basis.cols !== d) {
    throw new Error(`rotatedActivations: basis ${basis.rows}×${basis.cols} for width ${d}`)
  }
  const rT = tf.tensor2d(transposeF32(Float32Array.from(basis.data), d, d), [d, d])
  const out = new Float32Array(n * d)
  try {
    for (let start = 0; start < n; start += BATCH) {
      const m = Math.min(BATCH, n - start)
      const at = tf.tensor2d(a.subarray(start * d, (start + m) * d), [m, d])
      // Row-vector convention: a batch [m, d] becomes a·Rᵀ.
      const prod = tf.matMul(at, rT)
      out.set(prod.dataSync(), start * d)
      tf.dispose([at, prod])
    }
  } finally {
    rT.dispose()
  }
  return out
}

function transposeF32(a: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]
  return t
}
