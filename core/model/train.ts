import { tf } from '../backend/tf.ts'
import { CancelledError } from '../errors.ts'
import { activate, activationDerivative } from '../jacobian/activation.ts'
import { createRng, permutation } from '../random/prng.ts'
import type { Activation, DenseLayer, MlpParams } from './mlp.ts'

export interface TrainOptions {
  readonly sizes: readonly number[]
  readonly activation: Activation
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly seed: number
}

export interface TrainProgress {
  readonly epoch: number
  readonly epochs: number
  readonly batch: number
  readonly batches: number
  /** Mean loss and accuracy over the current epoch so far (training inputs). */
  readonly loss: number
  readonly accuracy: number
  /** 0..1 over the whole training. */
  readonly fraction: number
  readonly etaSeconds: number
}

export interface TrainResult {
  readonly params: MlpParams
  readonly seconds: number
  readonly history: { epoch: number; loss: number; accuracy: number }[]
}

/**
 * PyTorch's nn.Linear default: weights and biases uniform in ±1/√fan_in — drawn from
 * our seeded generator so a seed gives the same network on every backend.
 */
export function initialLayers(sizes: readonly number[], seed: number): DenseLayer[] {
  const rng = createRng(seed).fork('init')
  return sizes.slice(1).map((outDim, k) => {
    const inDim = sizes[k]
    const bound = 1 / Math.sqrt(inDim)
    const weight = new Float32Array(outDim * inDim)
    const bias = new Float32Array(outDim)
    for (let i = 0; i < weight.length; i++) weight[i] = (2 * rng.next() - 1) * bound
    for (let i = 0; i < bias.length; i++) bias[i] = (2 * rng.next() - 1) * bound
    return { inDim, outDim, weight, bias }
  })
}

/**
 * How often (ms) the batch loop yields to the event loop, so timers and messages — a
 * cancel from the job runner, metric flushes — get through. By time, not by batch count:
 * an epoch can be shorter than any fixed number of batches.
 */
const YIELD_MS = 25

/**
 * Minibatch Adam on softmax cross-entropy. Deterministic for a seed on one backend:
 * initial weights and the per-epoch shuffles come from the seeded generator.
 */
export async function trainMlp(
  x: Float32Array,
  labels: Uint8Array,
  options: TrainOptions,
  hooks: { onProgress?: (p: TrainProgress) => void; signal?: AbortSignal } = {},
): Promise<TrainResult> {
  const { sizes, epochs, batchSize } = options
  const n = labels.length
  const d0 = sizes[0]
  const classes = sizes[sizes.length - 1]
  const init = initialLayers(sizes, options.seed)
  const ws = init.map((l) => tf.variable(tf.tensor2d(l.weight, [l.outDim, l.inDim])))
  const bs = init.map((l) => tf.variable(tf.tensor1d(l.bias)))
  const optimizer = tf.train.adam(options.learningRate)
  const rng = createRng(options.seed).fork('shuffle')
  const batches = Math.ceil(n / batchSize)
  const history: TrainResult['history'] = []
  const t0 = performance.now()
  let lastYield = t0
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = permutation(n, rng)
      let lossSum = 0
      let correct = 0
      let seen = 0
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) throw new CancelledError('training cancelled')
        const idx = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize))
        const xb = new Float32Array(idx.length * d0)
        const yb = new Int32Array(idx.length)
        idx.forEach((i, r) => {
          xb.set(x.subarray(i * d0, (i + 1) * d0), r * d0)
          yb[r] = labels[i]
        })
        const xt = tf.tensor2d(xb, [idx.length, d0])
        const yt = tf.oneHot(tf.tensor1d(yb, 'int32'), classes)
        const step = lossAndGradients(ws, bs, xt, yt as tf.Tensor2D, options.activation)
        optimizer.applyGradients(
          step.grads as unknown as Parameters<typeof optimizer.applyGradients>[0],
        )
        const [batchLoss, batchCorrect] = [step.loss.dataSync()[0], step.correct.dataSync()[0]]
        tf.dispose([step.loss, step.correct, ...Object.values(step.grads)])
        lossSum += batchLoss * idx.length
        correct += batchCorrect
        seen += idx.length
        tf.dispose([xt, yt])
        const done = (epoch - 1) * batches + b + 1
        const elapsed = (performance.now() - t0) / 1000
        hooks.onProgress?.({
          epoch,
          epochs,
          batch: b + 1,
          batches,
          loss: lossSum / seen,
          accuracy: correct / seen,
          fraction: done / (epochs * batches),
          etaSeconds: (elapsed / done) * (epochs * batches - done),
        })
        if (performance.now() - lastYield > YIELD_MS) {
          await new Promise((r) => setImmediate(r))
          lastYield = performance.now()
        }
      }
      history.push({ epoch, loss: lossSum / seen, accuracy: correct / seen })
    }
    const layers: DenseLayer[] = ws.map((w, k) => ({
      inDim: sizes[k],
      outDim: sizes[k + 1],
      weight: w.dataSync() as Float32Array,
      bias: bs[k].dataSync() as Float32Array,
    }))
    return {
      params: { sizes: [...sizes], activation: options.activation, layers },
      seconds: (performance.now() - t0) / 1000,
      history,
    }
  } finally {
    tf.dispose([...ws, ...bs])
    optimizer.dispose()
  }
}

/**
 * Mean softmax cross-entropy of a batch and its gradients by explicit backpropagation
 * (the same chain of D_k·W_k factors the method studies): δ_L = (softmax(z_L) − y)/B,
 * ∂W_k = δ_kᵀ·a_{k-1}, ∂b_k = Σ δ_k, δ_{k-1} = (δ_k·W_k) ⊙ σ'(z_{k-1}).
 * Written out because tfjs-core registers op gradients only in its browser build.
 */
export function lossAndGradients(
  ws: readonly tf.Variable[],
  bs: readonly tf.Variable[],
  x: tf.Tensor2D,
  yOneHot: tf.Tensor2D,
  activation: Activation,
): { loss: tf.Scalar; correct: tf.Scalar; grads: Record<string, tf.Tensor> } {
  return tf.tidy(() => {
    const L = ws.length
    const batch = x.shape[0]
    const as: tf.Tensor2D[] = [x]
    const zs: tf.Tensor2D[] = []
    for (let k = 0; k < L; k++) {
      const z = tf.add(tf.matMul(as[k], ws[k], false, true), bs[k]) as tf.Tensor2D
      zs.push(z)
      if (k < L - 1) as.push(activate(z, activation) as tf.Tensor2D)
    }
    const logits = zs[L - 1]
    const logp = tf.logSoftmax(logits)
    const loss = tf.neg(tf.div(tf.sum(tf.mul(yOneHot, logp)), batch)) as tf.Scalar
    const correct = tf.sum(
      tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(yOneHot, 1)), 'float32'),
    ) as tf.Scalar
    const grads: Record<string, tf.Tensor> = {}
    let delta = tf.div(tf.sub(tf.exp(logp), yOneHot), batch) as tf.Tensor2D
    for (let k = L - 1; k >= 0; k--) {
      grads[ws[k].name] = tf.matMul(delta, as[k], true, false)
      grads[bs[k].name] = tf.sum(delta, 0)
      if (k > 0) {
        delta = tf.mul(
          tf.matMul(delta, ws[k]),
          activationDerivative(zs[k - 1], activation),
        ) as tf.Tensor2D
      }
    }
    return { loss, correct, grads }
  })
}
