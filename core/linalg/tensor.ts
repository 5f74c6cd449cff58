import { tf } from '../backend/tf.ts'
import { type Mat, mat } from './matrix.ts'

/** float64 Mat → float32 tensor (the heavy side of the method runs in float32). */
export function toTensor(m: Mat): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols])
}

/** float32 tensor → float64 Mat; the tensor is not disposed. */
export function fromTensor(t: tf.Tensor2D): Mat {
  const [r, c] = t.shape
  return mat(r, c, t.dataSync())
}

export function isIdentity(m: Mat): boolean {
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) if (m.data[i * m.cols + j] !== (i === j ? 1 : 0)) return false
  }
  return m.rows === m.cols
}
