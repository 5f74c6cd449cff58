import { backendInfo, executor, isNative, withBackend } from '../core/backend/compute.ts'
import type { Program } from '../core/backend/program.ts'
import { gatherLabels, gatherRows, type Dataset, type Split } from '../core/data/index.ts'
import type { LayerData } from '../core/jacobian/layer-data.ts'
import { identity } from '../core/linalg/matrix.ts'
import { accuracy, predictLogits } from '../core/model/forward.ts'
import { trainMlp } from '../core/model/train.ts'
import { createRng } from '../core/random/prng.ts'
import { layerObjective } from '../core/rotation/objective.ts'
import { haarRotation } from '../core/rotation/retraction.ts'
import { createMeasure } from '../core/sparsity/measures/index.ts'

/** Best seconds of `reps` calls (after one warm-up): the machine's quietest moment. */
export function bestSeconds(f: () => void, reps: number): number {
  f()
  let best = Infinity
  for (let i = 0; i < reps; i++) {
    const t = performance.now()
    f()
    best = Math.min(best, (performance.now() - t) / 1000)
  }
  return best
}

/** Shapes of the engine's products: Jacobian chunks, gradient contractions, forward batches. */
const GEMM_SHAPES: readonly [number, number, number][] = [
  [8192, 128, 784],
  [8192, 784, 128],
  [1024, 784, 128],
  [1024, 128, 784],
  [16384, 128, 128],
]

/**
 * The yardstick: ONNX Runtime's best float32 MatMul GFLOP/s on the engine's shapes, with
 * preallocated outputs, in this process. null when ONNX Runtime is not available.
 */
export async function nativeGemmGflops(): Promise<number | null> {
  const measure = (): number => {
    let best = 0
    for (const [m, k, n] of GEMM_SHAPES) {
      const program: Program<'a' | 'b', 'c'> = {
        key: `bench-gemm:${m}x${k}x${n}`,
        inputs: { a: { shape: [m, k] }, b: { shape: [k, n] } },
        outputs: ['c'],
        build: (ops, s) => ({ c: ops.matmul(s.a, s.b) }),
      }
      const rng = createRng(m + k + n)
      const a = Float32Array.from({ length: m * k }, () => rng.normal())
      const b = Float32Array.from({ length: k * n }, () => rng.normal())
      const c = new Float32Array(m * n)
      const feeds = { a: { data: a, shape: [m, k] }, b: { data: b, shape: [k, n] } }
      const s = bestSeconds(
        () => void executor().run(program, feeds, { c: { data: c, shape: [m, n] } }),
        5,
      )
      best = Math.max(best, (2 * m * k * n) / s / 1e9)
    }
    return best
  }
  if (isNative()) return measure()
  try {
    return await withBackend('onnx', measure)
  } catch {
    return null
  }
}

/**
 * GFLOP/s of the hot path on the active backend: the fused layer objective with its
 * output-side gradient over all of `data` (two GEMMs of 2·n·d_out²·d_in each, the measure
 * in between) in a generic rotated basis.
 */
export function jacobianGflops(data: LayerData): number {
  const r = haarRotation(data.outDim, createRng(5))
  const measure = createMeasure({ name: 'lp', p: 0.5, eps: 1e-3 })
  const s = bestSeconds(
    () => void layerObjective(data, null, r, measure, { in: false, out: true }),
    3,
  )
  return (2 * 2 * data.n * data.outDim * data.outDim * data.inDim) / s / 1e9
}

/** The training target's workload: 784-128-128-10, 8000 digits, 15 epochs, batch 128. */
export async function trainingSeconds(
  dataset: Dataset,
  split: Split,
): Promise<{ secondsFor15Epochs: number; testAccuracy: number }> {
  const train = split.train.slice(0, 8000)
  const r = await trainMlp(gatherRows(dataset, train), gatherLabels(dataset, train), {
    sizes: [dataset.dim, 128, 128, dataset.classes],
    activation: 'relu',
    epochs: 15,
    batchSize: 128,
    learningRate: 1e-3,
    seed: 0,
  })
  const x = gatherRows(dataset, split.test)
  const logits = predictLogits(r.params, x, split.test.length)
  return {
    secondsFor15Epochs: r.seconds,
    testAccuracy: accuracy(logits, gatherLabels(dataset, split.test), dataset.classes),
  }
}

export { backendInfo, identity }
