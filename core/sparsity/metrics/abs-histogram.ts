import type { TensorOps } from '../../backend/tensor-ops.ts'

/**
 * Histogram of log10 |J_ij| (DESIGN.md §4, "histogram of |J| on a log scale"): fixed bins
 * equally wide in log10 over [log10Min, log10Max), a `zeros` count for exact zeros (dead ReLU
 * rows: a third of layer 1 in the neuron basis, so a basis that loses them must show it) and a
 * `below` count for the rest under 10^log10Min. Fixed bins make runs and bases comparable.
 */
export interface AbsHistogramSpec {
  readonly log10Min: number
  readonly log10Max: number
  readonly bins: number
}

/** −8 … 2 covers float32 round-off up to the largest MNIST-MLP Jacobian entries. */
export const DEFAULT_ABS_HISTOGRAM: AbsHistogramSpec = { log10Min: -8, log10Max: 2, bins: 50 }

export interface AbsHistogram {
  readonly log10Min: number
  readonly log10Max: number
  /** Entries exactly 0. */
  zeros: number
  /** Entries with 0 < |v| < 10^log10Min, and NaN. */
  below: number
  readonly counts: number[]
}

export function emptyAbsHistogram(spec: AbsHistogramSpec = DEFAULT_ABS_HISTOGRAM): AbsHistogram {
  if (!(spec.log10Max > spec.log10Min) || !Number.isInteger(spec.bins) || spec.bins < 1) {
    throw new RangeError(`bad histogram spec ${JSON.stringify(spec)}`)
  }
  return {
    log10Min: spec.log10Min,
    log10Max: spec.log10Max,
    zeros: 0,
    below: 0,
    counts: new Array<number>(spec.bins).fill(0),
  }
}

/**
 * Adds |v| of `size` entries of `values` from `start`, each counted `weight` times, to
 * `h`. Bin b holds log10|v| ∈ [log10Min + b·w, log10Min + (b+1)·w); entries at or above
 * 10^log10Max go to the last bin so nothing is lost.
 */
export function accumulateAbsHistogram(
  h: AbsHistogram,
  values: ArrayLike<number>,
  start = 0,
  size = values.length,
  weight = 1,
): void {
  const bins = h.counts.length
  const step = (h.log10Max - h.log10Min) / bins
  // Lower edges 10^(min + b·step) and one past the top; Math.pow(10, n) is exact for small
  // integer n, so decade edges like 1 and 10 land in the bin they start.
  const edges = Float64Array.from({ length: bins + 1 }, (_, b) =>
    Math.pow(10, h.log10Min + b * step),
  )
  const lo = edges[0]
  // One natural log per entry: bin = (ln|v| − ln 10·log10Min) / (ln 10·step) …
  const scale = 1 / (Math.LN10 * step)
  const offset = Math.LN10 * h.log10Min
  const counts = h.counts
  let below = 0
  let zeros = 0
  for (let e = start; e < start + size; e++) {
    const a = Math.abs(values[e])
    if (a === 0) {
      zeros++
      continue
    }
    if (!(a >= lo)) {
      // NaN lands here too: it is no magnitude worth a bin.
      below++
      continue
    }
    let b = Math.floor((Math.log(a) - offset) * scale)
    if (b >= bins) b = bins - 1
    else {
      if (b < 0) b = 0
      // … corrected by one where rounding of the log put an entry on the wrong side of an edge.
      if (a < edges[b]) b--
      else if (b + 1 < bins && a >= edges[b + 1]) b++
    }
    counts[b] += weight
  }
  h.below += below * weight
  h.zeros += zeros * weight
}

/**
 * The bucket of each |v| as a tensor expression, for the native kernels: 0 for entries
 * under 10^log10Min (exact zeros and NaN too), 1 + b for bin b. The log is float32 there,
 * so an entry within ~1e-6 (relative) of an edge can land in the neighbouring bin.
 */
export function absHistogramBuckets<T>(ops: TensorOps<T>, abs: T, spec: AbsHistogramSpec): T {
  const step = (spec.log10Max - spec.log10Min) / spec.bins
  const scale = 1 / (Math.LN10 * step)
  const bin = ops.mul(ops.sub(ops.log(abs), Math.LN10 * spec.log10Min), scale)
  // floor(t) + 1 clipped to [0, bins]: below the range → 0, at or above the top → bins.
  const bucket = ops.add(ops.floor(bin), 1)
  return ops.minimum(ops.maximum(bucket, 0), spec.bins)
}

/**
 * Adds buckets from absHistogramBuckets (`zeros` of them exact zeros, counted apart), each
 * counted `weight` times.
 */
export function accumulateAbsBuckets(
  h: AbsHistogram,
  buckets: Float32Array,
  zeros: number,
  weight = 1,
): void {
  const counts = new Float64Array(h.counts.length + 1)
  // `| 0` sends NaN (log of NaN) to bucket 0, as accumulateAbsHistogram counts it below.
  for (let e = 0; e < buckets.length; e++) counts[buckets[e] | 0]++
  h.zeros += zeros * weight
  h.below += (counts[0] - zeros) * weight
  for (let b = 0; b < h.counts.length; b++) h.counts[b] += counts[b + 1] * weight
}
