import { executor } from '../backend/compute.ts'
import type { Feed, InputSpec, Program } from '../backend/program.ts'
import type { TensorOps } from '../backend/tensor-ops.ts'
import { CancelledError } from '../errors.ts'
import { createRng, permutation } from '../random/prng.ts'
import { activationDerivative } from './activation.ts'
import { type LayerSymbols, forwardLayers } from './forward.ts'
import type { Activation } from '../api/config/sections.ts'
import type { DenseLayer, MlpParams } from './mlp.ts'

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
  /** This batch's mean loss and accuracy (before its update). */
  readonly batchLoss: number
  readonly batchAccuracy: number
  /** Mean loss and accuracy over the current epoch so far (training inputs). */
  readonly loss: number
  readonly accuracy: number
  /** 0..1 over the whole training. */
  readonly fraction: number
  readonly etaSeconds: number
  /** Seconds since training started. */
  readonly seconds: number
}

export interface TrainResult {
  readonly params: MlpParams
  readonly seconds: number
  readonly history: { epoch: number; loss: number; accuracy: number }[]
}

/** Adam's constants, PyTorch's defaults: what a PyTorch user training this MLP gets. */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const

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
 * Mean softmax cross-entropy of a batch and its gradients by explicit backpropagation
 * (the same chain of D_k·W_k factors the method studies): δ_L = (softmax(z_L) − y)/B,
 * ∂W_k = δ_kᵀ·a_{k-1}, ∂b_k = Σ δ_k, δ_{k-1} = (δ_k·W_k) ⊙ σ'(z_{k-1}). `invBatch` is 1/B.
 */
export function lossGradients<T>(
  ops: TensorOps<T>,
  x: T,
  yOneHot: T,
  invBatch: T,
  layers: readonly LayerSymbols<T>[],
  activation: Activation,
): { loss: T; correct: T; grads: LayerSymbols<T>[] } {
  const L = layers.length
  const { z, a } = forwardLayers(ops, x, layers, { activation, from: 0, last: L })
  const logp = ops.logSoftmax(z[L - 1])
  const loss = ops.neg(ops.mul(ops.reduceSum(ops.mul(yOneHot, logp), [0, 1]), invBatch))
  const correct = ops.reduceSum(ops.equal(ops.argMax(z[L - 1], 1), ops.argMax(yOneHot, 1)), [0])
  const grads: LayerSymbols<T>[] = new Array(L)
  let delta = ops.mul(ops.sub(ops.exp(logp), yOneHot), invBatch)
  for (let k = L - 1; k >= 0; k--) {
    grads[k] = {
      weight: ops.matmul(delta, a[k], { transA: true }),
      bias: ops.reduceSum(delta, [0]),
    }
    if (k > 0) {
      delta = ops.mul(
        ops.matmul(delta, layers[k].weight),
        activationDerivative(ops, z[k - 1], activation),
      )
    }
  }
  return { loss, correct, grads }
}

type Part = 'weight' | 'bias'
const PARTS: readonly Part[] = ['weight', 'bias']
const STATE = ['p', 'm', 'v'] as const

/** Input and output names of one parameter's state (value, Adam's two moments). */
const stateName = (s: (typeof STATE)[number], k: number, part: Part) => `${s}${part[0]}${k}`

/**
 * One training step as a program: loss and gradients, then Adam (PyTorch's form:
 * w −= lr·m̂/(√v̂ + ε) with bias-corrected moments; `c1` = 1/(1 − β1ᵗ), `c2` = 1/(1 − β2ᵗ)).
 */
function trainStepProgram(sizes: readonly number[], activation: Activation) {
  const L = sizes.length - 1
  const inputs: Record<string, InputSpec> = {
    x: { shape: ['n', sizes[0]] },
    y: { shape: ['n', sizes[L]] },
    invBatch: { shape: [1] },
    lr: { shape: [1] },
    c1: { shape: [1] },
    c2: { shape: [1] },
  }
  const outputs = ['loss', 'correct']
  for (let k = 1; k <= L; k++) {
    for (const part of PARTS) {
      const shape = part === 'weight' ? [sizes[k], sizes[k - 1]] : [sizes[k]]
      for (const s of STATE) {
        inputs[stateName(s, k, part)] = { shape }
        outputs.push(`${stateName(s, k, part)}'`)
      }
    }
  }
  return {
    key: `train-step:${sizes.join('-')}:${activation}:${ADAM.beta1}:${ADAM.beta2}:${ADAM.eps}`,
    inputs,
    outputs,
    build<T>(ops: TensorOps<T>, s: Readonly<Record<string, T>>) {
      const layers = Array.from({ length: L }, (_, i) => ({
        weight: s[stateName('p', i + 1, 'weight')],
        bias: s[stateName('p', i + 1, 'bias')],
      }))
      const { loss, correct, grads } = lossGradients(ops, s.x, s.y, s.invBatch, layers, activation)
      const out: Record<string, T> = { loss, correct }
      const { beta1, beta2, eps } = ADAM
      grads.forEach((g, i) => {
        for (const part of PARTS) {
          const name = (st: (typeof STATE)[number]) => stateName(st, i + 1, part)
          const m = ops.add(ops.mul(s[name('m')], beta1), ops.mul(g[part], 1 - beta1))
          const v = ops.add(
            ops.mul(s[name('v')], beta2),
            ops.mul(ops.mul(g[part], g[part]), 1 - beta2),
          )
          const step = ops.div(
            ops.mul(m, ops.mul(s.c1, s.lr)),
            ops.add(ops.sqrt(ops.mul(v, s.c2)), eps),
          )
          out[`${name('p')}'`] = ops.sub(s[name('p')], step)
          out[`${name('m')}'`] = m
          out[`${name('v')}'`] = v
        }
      })
      return out
    },
  } satisfies Program<string, string>
}

/**
 * How often (ms) the batch loop yields to the event loop, so timers and messages — a
 * cancel from the job runner, metric flushes — get through. By time, not by batch count:
 * an epoch can be shorter than any fixed number of batches.
 */
const YIELD_MS = 25

/**
 * Minibatch Adam on softmax cross-entropy, one program call per batch. Deterministic for a
 * seed on one backend: initial weights and the per-epoch shuffles come from the seeded
 * generator. The parameters and moments live in two sets of arrays the steps write in
 * turn, so no step allocates.
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
  const L = sizes.length - 1
  const classes = sizes[L]
  const program = trainStepProgram(sizes, options.activation)
  const init = initialLayers(sizes, options.seed)
  const buffers = [0, 1].map(() => {
    const b: Record<string, Feed> = {}
    init.forEach((l, i) => {
      for (const part of PARTS) {
        const shape = part === 'weight' ? [l.outDim, l.inDim] : [l.outDim]
        for (const s of STATE) {
          b[stateName(s, i + 1, part)] = { data: new Float32Array(l[part].length), shape }
        }
      }
    })
    return b
  })
  init.forEach((l, i) => {
    for (const part of PARTS) buffers[0][stateName('p', i + 1, part)].data.set(l[part])
  })
  const rng = createRng(options.seed).fork('shuffle')
  const batches = Math.ceil(n / batchSize)
  const history: TrainResult['history'] = []
  const xb = new Float32Array(batchSize * d0)
  const yb = new Float32Array(batchSize * classes)
  const t0 = performance.now()
  let lastYield = t0
  let t = 0
  const run = executor()
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = permutation(n, rng)
    let lossSum = 0
    let correct = 0
    let seen = 0
    for (let b = 0; b < batches; b++) {
      if (hooks.signal?.aborted) throw new CancelledError('training cancelled')
      const idx = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize))
      const m = idx.length
      yb.fill(0)
      idx.forEach((i, r) => {
        xb.set(x.subarray(i * d0, (i + 1) * d0), r * d0)
        yb[r * classes + labels[i]] = 1
      })
      t++
      const [cur, next] = [buffers[(t - 1) % 2], buffers[t % 2]]
      const into: Record<string, Feed> = {}
      for (const [name, f] of Object.entries(next)) into[`${name}'`] = f
      const out = run.run(
        program,
        {
          ...cur,
          x: { data: xb.subarray(0, m * d0), shape: [m, d0] },
          y: { data: yb.subarray(0, m * classes), shape: [m, classes] },
          invBatch: { data: Float32Array.of(1 / m), shape: [1] },
          lr: { data: Float32Array.of(options.learningRate), shape: [1] },
          c1: { data: Float32Array.of(1 / (1 - ADAM.beta1 ** t)), shape: [1] },
          c2: { data: Float32Array.of(1 / (1 - ADAM.beta2 ** t)), shape: [1] },
        },
        into,
      )
      const batchLoss = out.loss[0]
      const batchCorrect = out.correct[0]
      lossSum += batchLoss * m
      correct += batchCorrect
      seen += m
      const done = (epoch - 1) * batches + b + 1
      const elapsed = (performance.now() - t0) / 1000
      hooks.onProgress?.({
        epoch,
        epochs,
        batch: b + 1,
        batches,
        batchLoss,
        batchAccuracy: batchCorrect / m,
        loss: lossSum / seen,
        accuracy: correct / seen,
        fraction: done / (epochs * batches),
        etaSeconds: (elapsed / done) * (epochs * batches - done),
        seconds: elapsed,
      })
      if (performance.now() - lastYield > YIELD_MS) {
        await new Promise((r) => setImmediate(r))
        lastYield = performance.now()
      }
    }
    history.push({ epoch, loss: lossSum / seen, accuracy: correct / seen })
  }
  const final = buffers[t % 2]
  const layers: DenseLayer[] = init.map((l, i) => ({
    inDim: l.inDim,
    outDim: l.outDim,
    weight: Float32Array.from(final[stateName('p', i + 1, 'weight')].data),
    bias: Float32Array.from(final[stateName('p', i + 1, 'bias')].data),
  }))
  return {
    params: { sizes: [...sizes], activation: options.activation, layers },
    seconds: (performance.now() - t0) / 1000,
    history,
  }
}
