import { tf } from '../backend/tf.ts'
import { activate } from '../jacobian/activation.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { Transform } from '../rotation/transform.ts'
import type { MlpParams } from './mlp.ts'

/**
 * The network with general changes of basis inserted, run forward: ã_0 = T_0·x,
 * ã_k = T_k·σ(W_k·T_{k-1}⁻¹·ã_{k-1} + b_k), logits = T_L⁻¹·ã_L. Inserting T_k⁻¹·T_k = I
 * changes nothing in exact arithmetic, so these logits must match the original network's
 * up to float error (amplified by at most about κ(T)) — which oblique runs check and
 * store. With T = R, T⁻¹ = Rᵀ this is `rotatedLogits`. `transforms[k]` null is the identity.
 */
export function transformedLogits(
  params: MlpParams,
  transforms: readonly (Transform | null)[],
  x: Float32Array,
  n: number,
): Float32Array {
  const L = params.layers.length
  const tensor = (m: Mat): tf.Tensor2D => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols])
  const fwd = transforms.map((t) => (t ? tensor(t.forward) : null))
  const inv = transforms.map((t) => (t ? tensor(t.inverse) : null))
  try {
    const out = tf.tidy(() => {
      // Row-vector convention: a batch is [n, d], so ã = a·Tᵀ.
      const apply = (a: tf.Tensor2D, m: tf.Tensor2D | null): tf.Tensor2D =>
        m ? (tf.matMul(a, m, false, true) as tf.Tensor2D) : a
      let a = apply(tf.tensor2d(x, [n, params.sizes[0]]), fwd[0])
      for (let k = 1; k <= L; k++) {
        const l = params.layers[k - 1]
        const w = tf.tensor2d(l.weight, [l.outDim, l.inDim])
        // W_k·T_{k-1}⁻¹ reads transformed inputs.
        const wIn = inv[k - 1] ? tf.matMul(w, inv[k - 1]!) : w
        const z = tf.add(tf.matMul(a, wIn, false, true), tf.tensor1d(l.bias)) as tf.Tensor2D
        a = apply(k < L ? (activate(z, params.activation) as tf.Tensor2D) : z, fwd[k])
      }
      return apply(a, inv[L])
    })
    const values = out.dataSync() as Float32Array
    out.dispose()
    return values
  } finally {
    tf.dispose([...fwd, ...inv].filter((m): m is tf.Tensor2D => m !== null))
  }
}
