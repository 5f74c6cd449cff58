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
import type { Measure } from './measures/index.ts'
import { metricsProgram } from './metrics-program.ts'
import {
  type AbsHistogram,
  type AbsHistogramSpec,
  HISTOGRAM_MAX_ENTRIES,
  accumulateAbsBuckets,
  accumulateAbsHistogram,
  emptyAbsHistogram,
} from './metrics/abs-histogram.ts'
import { fanInOfMoments, rowFanIn } from './metrics/fan-in.ts'
import { hoyerSparsity, hoyerSparsityOfNorms } from './metrics/hoyer-sparsity.ts'
import { NEAR_ZERO_THRESHOLD, nearZero, nearZeroOfCount } from './metrics/near-zero.ts'

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
   * Histogram of log10 |J_ij| over every entry of the first inputs (up to
   * HISTOGRAM_MAX_ENTRIES; `samples` of them), when asked for. The logit layer's J is the
   * same at every input, so its one Jacobian counts n times: counts always total
   * samples·rows·cols.
   */
  readonly histogram: AbsHistogram | null
}

/** Running sums of the per-input statistics, the same for both kernels. */
class MetricSums {
  nearZero = 0
  hoyer = 0
  readonly measures: number[]
  readonly fanSum: Float64Array
  readonly fanCount: Float64Array
  readonly absSum: Float64Array | null
  readonly histogram: AbsHistogram | null

  constructor(
    readonly rows: number,
    readonly cols: number,
    measureCount: number,
    options: { meanAbs?: boolean; histogram?: AbsHistogramSpec },
  ) {
    this.measures = new Array<number>(measureCount).fill(0)
    this.fanSum = new Float64Array(rows)
    this.fanCount = new Float64Array(rows)
    this.absSum = options.meanAbs ? new Float64Array(rows * cols) : null
    this.histogram = options.histogram ? emptyAbsHistogram(options.histogram) : null
  }

  /** One input's nearZero and hoyerSparsity. */
  addInput(nearZero: number, hoyer: number): void {
    this.nearZero += nearZero
    this.hoyer += hoyer
  }

  /** One output row's effective fan-in at one input (null: a dead row). */
  addRow(row: number, fanIn: number | null): void {
    if (fanIn === null) return
    this.fanSum[row] += fanIn
    this.fanCount[row]++
  }

  result(measures: readonly Measure[], data: LayerData): LayerMetrics {
    const n = data.derivatives ? data.n : 1
    const perOutput = Array.from(this.fanSum, (s, i) =>
      this.fanCount[i] > 0 ? s / this.fanCount[i] : 0,
    )
    const totalCount = this.fanCount.reduce((a, b) => a + b, 0)
    const measuresOut: Record<string, number> = {}
    measures.forEach((ms, i) => (measuresOut[ms.spec.name] = this.measures[i] / n))
    return {
      nearZero: this.nearZero / n,
      hoyerSparsity: this.hoyer / n,
      measures: measuresOut,
      fanIn: {
        mean: totalCount > 0 ? this.fanSum.reduce((a, b) => a + b, 0) / totalCount : 0,
        perOutput,
      },
      samples: data.n,
      meanAbs: this.absSum ? Float32Array.from(this.absSum, (v) => v / n) : null,
      histogram: this.histogram,
    }
  }
}

/**
 * Metrics of J_k(x) = R_out·D(x)·W·R_inᵀ over every input of `data`: reduced inside one
 * native call per chunk when the native backend is active, else from tfjs Jacobians by
 * loops over each chunk.
 */
export interface MetricOptions {
  /** Also the mean |J| over the inputs (the heatmap). */
  meanAbs?: boolean
  /** Also the |J| histogram of the first inputs (HISTOGRAM_MAX_ENTRIES). */
  histogram?: AbsHistogramSpec
  /** Told after each chunk how many inputs are done: a long pass shows its progress. */
  onInputs?: (done: number) => void
}

export function layerMetrics(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measures: readonly Measure[],
  threshold = NEAR_ZERO_THRESHOLD,
  options: MetricOptions = {},
): LayerMetrics {
  const sums = new MetricSums(data.outDim, data.inDim, measures.length, options)
  if (isNative()) nativeMetrics(data, rIn, rOut, measures, threshold, options, sums)
  else tfjsMetrics(data, rIn, rOut, measures, threshold, sums, options.onInputs)
  return sums.result(measures, data)
}

/** Whether the chunk starting at input `start` still goes into the |J| histogram. */
function histogramWanted(start: number, size: number): boolean {
  return start * size < HISTOGRAM_MAX_ENTRIES
}

function nativeMetrics(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measures: readonly Measure[],
  threshold: number,
  options: MetricOptions,
  sums: MetricSums,
): void {
  const shape = layerShape(data, rIn, rOut)
  const programFor = (histogram: boolean) =>
    metricsProgram(shape, measures, threshold, {
      meanAbs: options.meanAbs ?? false,
      histogram: histogram ? (options.histogram ?? null) : null,
    })
  const [withHistogram, plain] = [programFor(true), programFor(false)]
  const fixed = layerFeeds(data, rIn, rOut) as Record<LayerInput, Feed>
  const { rows } = sums
  const size = rows * sums.cols
  const weight = data.derivatives ? 1 : data.n
  const run = executor()
  forEachLayerChunk(data, (d, count, start) => {
    const counted = sums.histogram && histogramWanted(start, size)
    const r = run.run(counted ? withHistogram : plain, d ? { ...fixed, d } : fixed)
    for (let x = 0; x < count; x++) {
      let sq = 0
      for (let i = 0; i < rows; i++) {
        const s2 = r.rowS2[x * rows + i]
        sq += s2
        sums.addRow(i, fanInOfMoments(s2, r.rowS4[x * rows + i]))
      }
      sums.addInput(
        nearZeroOfCount(r.near[x], r.max[x], size),
        hoyerSparsityOfNorms(r.l1[x], sq, size),
      )
    }
    measures.forEach((_, i) => {
      for (const v of r[`m${i}`]) sums.measures[i] += v
    })
    if (sums.absSum) for (let e = 0; e < sums.absSum.length; e++) sums.absSum[e] += r.absSum[e]
    if (counted) {
      accumulateAbsBuckets(sums.histogram!, r.buckets, r.nonzero[0], weight)
      sums.histogram!.samples += count * weight
    }
    options.onInputs?.(start + count)
  })
}

function tfjsMetrics(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measures: readonly Measure[],
  threshold: number,
  sums: MetricSums,
  onInputs?: (done: number) => void,
): void {
  const { rows, cols } = sums
  const size = rows * cols
  const histWeight = data.derivatives ? 1 : data.n
  const layer = new RotatedLayer(data, rIn, rOut)
  try {
    forEachChunk(data, (d, count, start) => {
      const j = layer.jacobians(d, count)
      const counted = sums.histogram && histogramWanted(start, size)
      if (counted) sums.histogram!.samples += count * histWeight
      for (let x = 0; x < count; x++) {
        const base = x * size
        if (sums.absSum) for (let e = 0; e < size; e++) sums.absSum[e] += Math.abs(j[base + e])
        if (counted) accumulateAbsHistogram(sums.histogram!, j, base, size, histWeight)
        sums.addInput(nearZero(j, base, size, threshold), hoyerSparsity(j, base, size))
        for (let i = 0; i < rows; i++) sums.addRow(i, rowFanIn(j, base + i * cols, cols))
      }
      measures.forEach((ms, i) => {
        const per = new Float64Array(count)
        ms.evaluate(j, count, size, per, null)
        sums.measures[i] += per.reduce((a, b) => a + b, 0)
      })
      onInputs?.(start + count)
    })
  } finally {
    layer.dispose()
  }
}
