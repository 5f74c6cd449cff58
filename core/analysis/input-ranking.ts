import { executor, isNative } from '../backend/compute.ts'
import type { Feed } from '../backend/program.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import {
  type LayerInput,
  forEachLayerChunk,
  layerFeeds,
  layerShape,
} from '../jacobian/layer-program.ts'
import { RotatedLayer, forEachChunk } from '../jacobian/rotated.ts'
import type { Mat } from '../linalg/matrix.ts'
import { metricsProgram } from '../sparsity/metrics-program.ts'
import { hoyerSparsity, hoyerSparsityOfNorms } from '../sparsity/metrics/hoyer-sparsity.ts'
import { nearZero, nearZeroOfCount } from '../sparsity/metrics/near-zero.ts'

/**
 * Which inputs a learned basis changes most (the explorer's "most changed"): each input's
 * own nearZero and Hoyer sparsity of J_k(x) in a set of bases, from the same batched metric
 * statistics the held-out metrics reduce, kept per input instead of averaged: inside the
 * native metrics program (core/sparsity/metrics-program.ts) when the native kernels are
 * active, else from TensorFlow.js Jacobians chunk by chunk (as layerMetrics does: the
 * program run op by op on TensorFlow.js is ten times slower there).
 */

/** One value per input of the layer data, in its order. */
export interface PerInputSparsity {
  readonly nearZero: Float64Array
  readonly hoyerSparsity: Float64Array
}

export type PerInputMetric = keyof PerInputSparsity

export function perInputSparsity(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  threshold: number,
): PerInputSparsity {
  const n = data.derivatives ? data.n : 1
  const out = { nearZero: new Float64Array(n), hoyerSparsity: new Float64Array(n) }
  if (isNative()) nativeSparsity(data, rIn, rOut, threshold, out)
  else tfjsSparsity(data, rIn, rOut, threshold, out)
  return out
}

/** Fills `out` with the per-input values of J = rOut·D(x)·W·rInᵀ over `data`. */
type SparsityPass = (
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  threshold: number,
  out: PerInputSparsity,
) => void

const nativeSparsity: SparsityPass = (data, rIn, rOut, threshold, out) => {
  const shape = layerShape(data, rIn, rOut)
  const program = metricsProgram(shape, [], threshold, { meanAbs: false, histogram: null })
  const fixed = layerFeeds(data, rIn, rOut) as Record<LayerInput, Feed>
  const { outDim } = data
  const size = outDim * data.inDim
  const run = executor()
  forEachLayerChunk(data, (d, count, start) => {
    const r = run.run(program, d ? { ...fixed, d } : fixed)
    for (let x = 0; x < count; x++) {
      let sq = 0
      for (let i = 0; i < outDim; i++) sq += r.rowS2[x * outDim + i]
      out.nearZero[start + x] = nearZeroOfCount(r.near[x], r.max[x], size)
      out.hoyerSparsity[start + x] = hoyerSparsityOfNorms(r.l1[x], sq, size)
    }
  })
}

const tfjsSparsity: SparsityPass = (data, rIn, rOut, threshold, out) => {
  const size = data.outDim * data.inDim
  const layer = new RotatedLayer(data, rIn, rOut)
  try {
    forEachChunk(data, (d, count, start) => {
      const j = layer.jacobians(d, count)
      for (let x = 0; x < count; x++) {
        out.nearZero[start + x] = nearZero(j, x * size, size, threshold)
        out.hoyerSparsity[start + x] = hoyerSparsity(j, x * size, size)
      }
    })
  } finally {
    layer.dispose()
  }
}

/**
 * Input positions by gain after − before, largest first ('desc'; 'asc': most lost first),
 * ties by the lower position so the order is stable.
 */
export function rankByGain(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  order: 'desc' | 'asc' = 'desc',
): Int32Array {
  if (before.length !== after.length) {
    throw new Error(`rankByGain: ${before.length} values before, ${after.length} after`)
  }
  const sign = order === 'desc' ? 1 : -1
  const gain = Float64Array.from(after, (a, i) => a - before[i])
  return Int32Array.from(gain.keys()).sort((a, b) => sign * (gain[b] - gain[a]) || a - b)
}
