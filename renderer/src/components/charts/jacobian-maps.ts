import { dataStats } from './heatmap-core.ts'

/**
 * The maps the input explorer and the difference views draw, as pure functions over
 * row-major arrays: one Jacobian normalized or masked, and two of the same shape against
 * each other (after − before, log-ratio).
 */

/** max |v| over the array. */
export function maxAbsOf(values: ArrayLike<number>): number {
  return dataStats(values).maxAbs
}

/** |J|/max|J| in [0, 1] (all zero for a zero J): one scale for maps of any magnitude. */
export function normalizedMagnitude(j: ArrayLike<number>, maxAbs = maxAbsOf(j)): Float32Array {
  const out = new Float32Array(j.length)
  if (maxAbs > 0) for (let i = 0; i < j.length; i++) out[i] = Math.abs(j[i]) / maxAbs
  return out
}

/**
 * The near-zero mask of DESIGN.md §1: 0 where |J| < threshold·max|J| (near zero, strict),
 * 1 where the entry counts. An all-zero J is all near zero. `nearZero` is the fraction of 0s.
 */
export function nearZeroMask(
  j: ArrayLike<number>,
  threshold: number,
  maxAbs = maxAbsOf(j),
): { mask: Float32Array; nearZero: number } {
  const mask = new Float32Array(j.length)
  const cut = threshold * maxAbs
  let near = 0
  for (let i = 0; i < j.length; i++) {
    if (maxAbs > 0 && Math.abs(j[i]) >= cut) mask[i] = 1
    else near++
  }
  return { mask, nearZero: j.length ? near / j.length : 1 }
}

/** The smallest |J| the log-ratio tells apart, relative to the larger max of the two maps. */
export const LOG_RATIO_FLOOR = 1e-3

export interface MapShape {
  readonly rows: number
  readonly cols: number
}

/** Why two maps cannot be set against each other (null when they can). */
export function shapeMismatch(a: MapShape, b: MapShape): string | null {
  return a.rows === b.rows && a.cols === b.cols
    ? null
    : `${a.rows}×${a.cols} against ${b.rows}×${b.cols}: only maps of the same shape can be compared`
}

function checkLengths(before: ArrayLike<number>, after: ArrayLike<number>): void {
  if (before.length !== after.length) {
    throw new Error(`${before.length} entries against ${after.length}`)
  }
}

/** |after| − |before| entry by entry: > 0 where after is stronger. */
export function magnitudeDifference(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
): Float32Array {
  checkLengths(before, after)
  return Float32Array.from(after, (a, i) => Math.abs(a) - Math.abs(before[i]))
}

/**
 * log10(|after| / |before|) with both clamped below at floor·max (max over both maps), so
 * entries negligible in both read 0 rather than noise over noise, and the ratio stays in
 * ±log10(1/floor). Returns the map and the absolute floor used.
 */
export function logRatio(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  floor = LOG_RATIO_FLOOR,
): { data: Float32Array; floor: number } {
  checkLengths(before, after)
  const cut = floor * Math.max(maxAbsOf(before), maxAbsOf(after))
  if (!(cut > 0)) return { data: new Float32Array(before.length), floor: 0 }
  const data = Float32Array.from(after, (a, i) =>
    Math.log10(Math.max(Math.abs(a), cut) / Math.max(Math.abs(before[i]), cut)),
  )
  return { data, floor: cut }
}
