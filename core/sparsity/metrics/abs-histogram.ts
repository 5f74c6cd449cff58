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

/**
 * Entries a histogram counts at most: the inputs in order until their Jacobians reach this
 * many (layer 1 of the MNIST MLP: the first ~650 of 2000 held-out inputs). A log per entry
 * costs as much as all the other metrics together, and 64 M entries fix every bin's share
 * to better than 1e-4; `samples` says how many inputs were counted.
 */
export const HISTOGRAM_MAX_ENTRIES = 1 << 26

export interface AbsHistogram {
  readonly log10Min: number
  readonly log10Max: number
  /** Inputs whose Jacobians were counted. */
  samples: number
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
    samples: 0,
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
 * under 10^log10Min (exact zeros and NaN too), 1 + b for bin b, `bins` for everything at or
 * above the top. The log is float32 there, so an entry within ~1e-6 (relative) of an edge
 * can land in the neighbouring bin.
 */
export function absHistogramBuckets<T>(ops: TensorOps<T>, abs: T, spec: AbsHistogramSpec): T {
  const step = (spec.log10Max - spec.log10Min) / spec.bins
  const scale = 1 / (Math.LN10 * step)
  // floor((ln a − ln 10·log10Min)·scale) + 1, as one multiply and one subtract.
  const shifted = ops.sub(ops.mul(ops.log(abs), scale), Math.LN10 * spec.log10Min * scale - 1)
  return ops.clip(ops.floor(shifted), 0, spec.bins)
}

/**
 * Adds buckets from absHistogramBuckets, of which `nonzero` are not exact zeros (the
 * zeros are counted apart), each counted `weight` times.
 */
export function accumulateAbsBuckets(
  h: AbsHistogram,
  buckets: Uint8Array,
  nonzero: number,
  weight = 1,
): void {
  const counts = bucketCounts(buckets, h.counts.length + 1)
  const zeros = buckets.length - nonzero
  h.zeros += zeros * weight
  h.below += (counts[0] - zeros) * weight
  for (let b = 0; b < h.counts.length; b++) h.counts[b] += counts[b + 1] * weight
}

/**
 * How many bytes of `values` take each value below `size`. Four bytes at a time into four
 * counter sets: consecutive equal bytes (most neighbouring |J| entries share a bucket)
 * would otherwise serialize on one counter — 0.9 ns per byte instead of 1.8.
 */
export function bucketCounts(values: Uint8Array, size: number): Int32Array {
  const c = new Int32Array(4 * 256)
  const head = Math.min(values.length, (4 - (values.byteOffset % 4)) % 4)
  for (let e = 0; e < head; e++) c[values[e]]++
  const words = (values.length - head) >> 2
  const w = new Uint32Array(values.buffer, values.byteOffset + head, words)
  for (let e = 0; e < w.length; e++) {
    const v = w[e]
    c[v & 255]++
    c[256 + ((v >>> 8) & 255)]++
    c[512 + ((v >>> 16) & 255)]++
    c[768 + (v >>> 24)]++
  }
  for (let e = head + 4 * words; e < values.length; e++) c[values[e]]++
  const out = new Int32Array(size)
  for (let i = 0; i < size; i++) out[i] = c[i] + c[256 + i] + c[512 + i] + c[768 + i]
  return out
}
