import { tf } from '../backend/tf.ts'
import type { MlpParams } from '../model/mlp.ts'
import { activate, activationDerivative } from './activation.ts'

/** Rows per forward batch: bounds memory on 60k-input sets without hurting matmul speed. */
const FORWARD_BATCH = 2048

/** Weight and bias tensors of a model, created once and disposed by the caller. */
export interface ModelTensors {
  readonly weights: tf.Tensor2D[]
  readonly biases: tf.Tensor1D[]
  dispose(): void
}

export function modelTensors(params: MlpParams): ModelTensors {
  const weights = params.layers.map((l) => tf.tensor2d(l.weight, [l.outDim, l.inDim]))
  const biases = params.layers.map((l) => tf.tensor1d(l.bias))
  return {
    weights,
    biases,
    dispose: () => {
      for (const t of [...weights, ...biases]) t.dispose()
    },
  }
}

/**
 * Forward pass over rows of x ([n, d0] row-major). Returns the logits and, for every
 * hidden layer k < L, σ'(z_k) at each input: the diagonal D_k(x) of its Jacobian.
 */
export function forwardWithDerivatives(
  params: MlpParams,
  x: Float32Array,
  n: number,
): { logits: Float32Array; derivatives: Float32Array[] } {
  const L = params.layers.length
  const sizes = params.sizes
  const logits = new Float32Array(n * sizes[L])
  const derivatives = sizes.slice(1, L).map((d) => new Float32Array(n * d))
  const mt = modelTensors(params)
  try {
    for (let start = 0; start < n; start += FORWARD_BATCH) {
      const m = Math.min(FORWARD_BATCH, n - start)
      const out = tf.tidy(() => {
        let a: tf.Tensor2D = tf.tensor2d(x.subarray(start * sizes[0], (start + m) * sizes[0]), [
          m,
          sizes[0],
        ])
        const ds: tf.Tensor[] = []
        for (let k = 0; k < L; k++) {
          const z = tf.add(tf.matMul(a, mt.weights[k], false, true), mt.biases[k]) as tf.Tensor2D
          if (k < L - 1) {
            ds.push(activationDerivative(z, params.activation))
            a = activate(z, params.activation) as tf.Tensor2D
          } else {
            a = z
          }
        }
        return { logits: a, ds }
      })
      logits.set(out.logits.dataSync(), start * sizes[L])
      out.ds.forEach((d, k) => derivatives[k].set(d.dataSync(), start * sizes[k + 1]))
      tf.dispose([out.logits, ...out.ds])
    }
  } finally {
    mt.dispose()
  }
  return { logits, derivatives }
}

/** Logits only. */
export function predictLogits(params: MlpParams, x: Float32Array, n: number): Float32Array {
  return forwardWithDerivatives(params, x, n).logits
}

export function argmaxRows(values: Float32Array, n: number, width: number): Int32Array {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let j = 1; j < width; j++) if (values[i * width + j] > values[i * width + best]) best = j
    out[i] = best
  }
  return out
}

export function accuracy(logits: Float32Array, labels: ArrayLike<number>, classes: number): number {
  const n = labels.length
  const pred = argmaxRows(logits, n, classes)
  let ok = 0
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) ok++
  return n === 0 ? 0 : ok / n
}
