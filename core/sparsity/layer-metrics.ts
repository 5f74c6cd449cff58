import type { LayerData } from '../jacobian/layer-data.ts'
import { RotatedLayer, forEachChunk } from '../jacobian/rotated.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { Measure } from './measures/index.ts'
import {
  type AbsHistogram,
  type AbsHistogramSpec,
  accumulateAbsHistogram,
  emptyAbsHistogram,
} from './metrics/abs-histogram.ts'
import { rowFanIn } from './metrics/fan-in.ts'
import { hoyerSparsity } from './metrics/hoyer-sparsity.ts'
import { NEAR_ZERO_THRESHOLD, nearZero } from './metrics/near-zero.ts'

/** Held-out sparsity of one layer in given bases (DESIGN.md §1, "Metrics"). */
export interface LayerMetrics {
  readonly nearZero: number
  readonly hoyerSparsity: number
  /** Mean over inputs of S(J(x)) for each measure asked for, keyed by measure name. */
  readonly measures: Record<string, number>
  /** Mean effective fan-in over live (output, input) pairs, and per output. */
  readonly fanIn: { readonly mean: number; readonly perOutput: number[] }
  readonly samples: number
  /** Mean |J_ij| over the inputs ([rows × cols]), when asked for: the heatmap of a layer. */
  readonly meanAbs: Float32Array | null
  /**
   * Histogram of log10 |J_ij| over every entry of every input, when asked for. The logit
   * layer's J is the same at every input, so its one Jacobian counts n times: counts always
   * total n·rows·cols.
   */
  readonly histogram: AbsHistogram | null
}

/**
 * Metrics of J_k(x) = R_out·D(x)·W·R_inᵀ over every input of `data`. The Jacobians come
 * from tfjs in chunks; the metrics are pure loops over each chunk.
 */
export function layerMetrics(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measures: readonly Measure[],
  threshold = NEAR_ZERO_THRESHOLD,
  options: { meanAbs?: boolean; histogram?: AbsHistogramSpec } = {},
): LayerMetrics {
  const { outDim: rows, inDim: cols } = data
  const size = rows * cols
  const layer = new RotatedLayer(data, rIn, rOut)
  let nz = 0
  let hs = 0
  const sums = measures.map(() => 0)
  const fanSum = new Float64Array(rows)
  const fanCount = new Float64Array(rows)
  const absSum = options.meanAbs ? new Float64Array(size) : null
  const histogram = options.histogram ? emptyAbsHistogram(options.histogram) : null
  const histWeight = data.derivatives ? 1 : data.n
  try {
    forEachChunk(data, (d, count) => {
      const j = layer.jacobians(d, count)
      if (absSum) {
        for (let x = 0; x < count; x++) {
          for (let e = 0; e < size; e++) absSum[e] += Math.abs(j[x * size + e])
        }
      }
      for (let x = 0; x < count; x++) {
        if (histogram) accumulateAbsHistogram(histogram, j, x * size, size, histWeight)
        nz += nearZero(j, x * size, size, threshold)
        hs += hoyerSparsity(j, x * size, size)
        for (let i = 0; i < rows; i++) {
          const f = rowFanIn(j, x * size + i * cols, cols)
          if (f !== null) {
            fanSum[i] += f
            fanCount[i]++
          }
        }
      }
      measures.forEach((ms, i) => {
        const per = new Float64Array(count)
        ms.evaluate(j, count, size, per, null)
        sums[i] += per.reduce((a, b) => a + b, 0)
      })
    })
  } finally {
    layer.dispose()
  }
  const n = data.derivatives ? data.n : 1
  const perOutput = Array.from(fanSum, (s, i) => (fanCount[i] > 0 ? s / fanCount[i] : 0))
  const totalCount = fanCount.reduce((a, b) => a + b, 0)
  const measuresOut: Record<string, number> = {}
  measures.forEach((ms, i) => (measuresOut[ms.spec.name] = sums[i] / n))
  return {
    nearZero: nz / n,
    hoyerSparsity: hs / n,
    measures: measuresOut,
    fanIn: { mean: totalCount > 0 ? fanSum.reduce((a, b) => a + b, 0) / totalCount : 0, perOutput },
    samples: data.n,
    meanAbs: absSum ? Float32Array.from(absSum, (v) => v / n) : null,
    histogram,
  }
}
