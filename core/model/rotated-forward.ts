import { tf } from '../backend/tf.ts'
import { activate } from '../jacobian/activation.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { MlpParams } from './mlp.ts'

/**
 * The rotated network itself, run forward: ã_0 = R_0·x, ã_k = R_k·σ(W_k·R_{k-1}ᵀ·ã_{k-1} + b_k),
 * logits = R_Lᵀ·ã_L. Inserting R_kᵀR_k = I changes nothing, so these logits must match
 * the original network's up to float error — which is what the run checks and stores.
 * `bases[k]` null is the identity.
 */
export function rotatedLogits(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  x: Float32Array,
  n: number,
): Float32Array {
  const L = params.layers.length
  const rot = bases.map((b) =>
    b ? tf.tensor2d(Float32Array.from(b.data), [b.rows, b.cols]) : null,
  )
  try {
    const out = tf.tidy(() => {
      // Row-vector convention: a batch is [n, d], so ã = a·Rᵀ.
      const rotate = (a: tf.Tensor2D, r: tf.Tensor2D | null): tf.Tensor2D =>
        r ? (tf.matMul(a, tf.transpose(r)) as tf.Tensor2D) : a
      const unrotate = (a: tf.Tensor2D, r: tf.Tensor2D | null): tf.Tensor2D =>
        r ? (tf.matMul(a, r) as tf.Tensor2D) : a
      let a = rotate(tf.tensor2d(x, [n, params.sizes[0]]), rot[0])
      for (let k = 1; k <= L; k++) {
        const l = params.layers[k - 1]
        const w = tf.tensor2d(l.weight, [l.outDim, l.inDim])
        // W_k·R_{k-1}ᵀ reads rotated inputs.
        const wIn = rot[k - 1] ? tf.matMul(w, tf.transpose(rot[k - 1]!)) : w
        const z = tf.add(tf.matMul(a, tf.transpose(wIn)), tf.tensor1d(l.bias)) as tf.Tensor2D
        a = rotate(k < L ? (activate(z, params.activation) as tf.Tensor2D) : z, rot[k])
      }
      return unrotate(a, rot[L])
    })
    const values = out.dataSync() as Float32Array
    out.dispose()
    return values
  } finally {
    tf.dispose(rot.filter((r): r is tf.Tensor2D => r !== null))
  }
}
