import { LUT_SIZE } from './colormaps.ts'

/**
 * The pure parts of the heatmap: colour scale, orderings, painting and hit-testing. No
 * DOM here, so they are unit-tested directly and shared by the canvas component and the
 * figure export.
 */

export type ColorScale = 'linear' | 'log'

/** A row/column order: entry d is the data index shown at display position d. */
export type Order = Int32Array

/** A cell in data coordinates (what a tooltip names and what synced views share). */
export interface HeatCell {
  readonly row: number
  readonly col: number
}

export interface Domain {
  readonly min: number
  readonly max: number
  readonly scale: ColorScale
}

/** Smallest value a log scale shows by default, relative to the largest (six decades). */
export const LOG_DEFAULT_DECADES = 6

export interface DataStats {
  readonly min: number
  readonly max: number
  readonly maxAbs: number
  /** Smallest strictly positive value (Infinity when there is none). */
  readonly minPositive: number
}

export function dataStats(data: ArrayLike<number>): DataStats {
  let min = Infinity
  let max = -Infinity
  let minPositive = Infinity
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (v !== v) continue // NaN
    if (v < min) min = v
    if (v > max) max = v
    if (v > 0 && v < minPositive) minPositive = v
  }
  if (min === Infinity) return { min: 0, max: 0, maxAbs: 0, minPositive: Infinity }
  return { min, max, maxAbs: Math.max(Math.abs(min), Math.abs(max)), minPositive }
}

/**
 * The default colour domain of some data: symmetric around 0 for signed (diverging) maps,
 * [0, max] for linear magnitudes, and for log scales from the smallest positive value,
 * but no more than LOG_DEFAULT_DECADES below the max (float noise would eat the range).
 */
export function defaultDomain(stats: DataStats, scale: ColorScale, symmetric = false): Domain {
  if (symmetric) {
    const m = stats.maxAbs > 0 ? stats.maxAbs : 1
    return { min: -m, max: m, scale: 'linear' }
  }
  if (scale === 'log') {
    const max = stats.max > 0 ? stats.max : 1
    const floor = max * 10 ** -LOG_DEFAULT_DECADES
    const min = Number.isFinite(stats.minPositive) ? Math.max(stats.minPositive, floor) : floor
    return { min: min < max ? min : max / 10, max, scale }
  }
  const min = Math.min(0, stats.min)
  const max = stats.max > min ? stats.max : min + 1
  return { min, max, scale }
}

/**
 * Maps a value to t ∈ [0, 1] (clamped) under a domain. On a log scale values ≤ 0 (and
 * below min) map to 0: exact zeros are the darkest colour, as they should be for |J|.
 */
export function normalizer(domain: Domain): (v: number) => number {
  const { min, max } = domain
  if (domain.scale === 'log') {
    const lo = Math.log10(min > 0 ? min : Number.MIN_VALUE)
    const span = Math.log10(max) - lo || 1
    return (v) => (v > 0 ? Math.min(1, Math.max(0, (Math.log10(v) - lo) / span)) : 0)
  }
  const span = max - min || 1
  return (v) => Math.min(1, Math.max(0, (v - min) / span))
}

export function identityOrder(n: number): Order {
  return Int32Array.from({ length: n }, (_, i) => i)
}

/**
 * Rows (or columns) by strength: descending sum of |v| along the other axis, ties by the
 * lower index, so the order is stable and the strongest connections gather top-left.
 */
export function strengthOrder(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  axis: 'rows' | 'cols',
): Order {
  const n = axis === 'rows' ? rows : cols
  const sums = new Float64Array(n)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(data[r * cols + c])
      if (a === a) sums[axis === 'rows' ? r : c] += a
    }
  }
  const order = identityOrder(n)
  order.sort((a, b) => sums[b] - sums[a] || a - b)
  return order
}

/** A heatmap's row and column orders for a sort: by index (none) or by strength. */
export function axisOrders(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  sort: 'index' | 'strength',
): { rowOrder: Order | null; colOrder: Order | null } {
  if (sort === 'index') return { rowOrder: null, colOrder: null }
  return {
    rowOrder: strengthOrder(data, rows, cols, 'rows'),
    colOrder: strengthOrder(data, rows, cols, 'cols'),
  }
}

/** Position of each data index in an order (the inverse permutation). */
export function inverseOrder(order: Order): Int32Array {
  const inv = new Int32Array(order.length)
  for (let d = 0; d < order.length; d++) inv[order[d]] = d
  return inv
}

/**
 * The data cell under a point of a heatmap drawn `width`×`height` (any units, e.g. CSS
 * pixels relative to the canvas' top-left corner): O(1), null outside.
 */
export function cellFromPoint(
  x: number,
  y: number,
  width: number,
  height: number,
  rows: number,
  cols: number,
  rowOrder?: Order | null,
  colOrder?: Order | null,
): (HeatCell & { displayRow: number; displayCol: number }) | null {
  if (!(x >= 0 && y >= 0 && x < width && y < height) || rows < 1 || cols < 1) return null
  const displayCol = Math.min(cols - 1, Math.floor((x / width) * cols))
  const displayRow = Math.min(rows - 1, Math.floor((y / height) * rows))
  return {
    row: rowOrder ? rowOrder[displayRow] : displayRow,
    col: colOrder ? colOrder[displayCol] : displayCol,
    displayRow,
    displayCol,
  }
}

/**
 * Paints the data into RGBA pixels (one pixel per cell, display order): `out` has
 * rows·cols·4 bytes. NaN cells are transparent.
 */
export function paintCells(
  out: Uint8ClampedArray,
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  domain: Domain,
  lut: Uint8ClampedArray,
  rowOrder?: Order | null,
  colOrder?: Order | null,
): void {
  const t = normalizer(domain)
  const top = LUT_SIZE - 1
  for (let dr = 0; dr < rows; dr++) {
    const r = rowOrder ? rowOrder[dr] : dr
    const base = r * cols
    let o = dr * cols * 4
    for (let dc = 0; dc < cols; dc++, o += 4) {
      const v = data[base + (colOrder ? colOrder[dc] : dc)]
      if (v !== v) {
        out[o + 3] = 0
        continue
      }
      const i = Math.round(t(v) * top) * 4
      out[o] = lut[i]
      out[o + 1] = lut[i + 1]
      out[o + 2] = lut[i + 2]
      out[o + 3] = 255
    }
  }
}

/** Colorbar tick values: powers of ten on a log scale, evenly spaced on a linear one. */
export function colorTicks(domain: Domain, maxTicks = 6): number[] {
  const { min, max } = domain
  if (domain.scale === 'log') {
    const lo = Math.ceil(Math.log10(min) - 1e-9)
    const hi = Math.floor(Math.log10(max) + 1e-9)
    const step = Math.max(1, Math.ceil((hi - lo + 1) / maxTicks))
    const out: number[] = []
    // Parsed, not 10 ** e: 10 ** -5 is 9.999…e-6, which would print as such.
    for (let e = hi; e >= lo; e -= step) out.unshift(Number(`1e${e}`))
    return out.length ? out : [min, max]
  }
  // An odd count puts a tick at the middle (0 of a symmetric, diverging scale).
  const n = Math.max(2, maxTicks % 2 ? maxTicks : maxTicks - 1)
  return Array.from({ length: n }, (_, i) => min + ((max - min) * i) / (n - 1))
}

/** Position of a value on the colour axis, 0 (min) … 1 (max): where a tick goes. */
export function tickPosition(domain: Domain, v: number): number {
  return normalizer(domain)(v)
}

/** A compact number for tooltips and ticks: 3 significant digits, exponent when tiny/huge. */
export function formatValue(v: number): string {
  if (v !== v) return '—'
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a >= 1e4 || a < 1e-3) {
    const [m, e] = v.toExponential(2).split('e')
    return `${m.replace(/\.?0+$/, '')}e${e.replace('+', '')}`
  }
  return Number(v.toPrecision(3)).toString()
}

/**
 * Rows by the column they weigh most (argmax |v|), then by that weight descending: a
 * rotation close to a signed permutation of neurons shows as a diagonal.
 */
export function alignOrder(data: ArrayLike<number>, rows: number, cols: number): Order {
  const arg = new Int32Array(rows)
  const peak = new Float64Array(rows)
  for (let r = 0; r < rows; r++) {
    let best = -1
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(data[r * cols + c])
      if (a > best) {
        best = a
        arg[r] = c
      }
    }
    peak[r] = best
  }
  const order = identityOrder(rows)
  order.sort((a, b) => arg[a] - arg[b] || peak[b] - peak[a] || a - b)
  return order
}

/** Mean over rows of max |v| in the row: 1 for a signed permutation, about √(2 ln n / n) for a random rotation. */
export function meanRowPeak(data: ArrayLike<number>, rows: number, cols: number): number {
  let sum = 0
  for (let r = 0; r < rows; r++) {
    let best = 0
    for (let c = 0; c < cols; c++) best = Math.max(best, Math.abs(data[r * cols + c]))
    sum += best
  }
  return rows > 0 ? sum / rows : 0
}
