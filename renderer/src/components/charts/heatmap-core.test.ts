import { describe, expect, it } from 'vitest'
import { colormapLut } from './colormaps.ts'
import {
  alignOrder,
  cellFromPoint,
  colorTicks,
  dataStats,
  defaultDomain,
  formatValue,
  identityOrder,
  inverseOrder,
  meanRowPeak,
  normalizer,
  paintCells,
  strengthOrder,
  axisOrders,
} from './heatmap-core.ts'

// 2×3, row-major: row 0 = [0, 1, 2], row 1 = [10, 0, 5].
const M = Float32Array.from([0, 1, 2, 10, 0, 5])

describe('colour domain', () => {
  it('takes linear magnitudes from 0, signed data symmetric, log from the smallest positive value', () => {
    const s = dataStats(M)
    expect(s).toEqual({ min: 0, max: 10, maxAbs: 10, minPositive: 1 })
    expect(defaultDomain(s, 'linear')).toEqual({ min: 0, max: 10, scale: 'linear' })
    expect(defaultDomain(s, 'log')).toEqual({ min: 1, max: 10, scale: 'log' })
    expect(defaultDomain(dataStats([-3, 1]), 'linear', true)).toEqual({
      min: -3,
      max: 3,
      scale: 'linear',
    })
  })

  it('keeps a log scale within six decades of the max and survives empty or all-zero data', () => {
    const d = defaultDomain(dataStats([1e-12, 1]), 'log')
    expect(d.min).toBeCloseTo(1e-6, 12)
    expect(defaultDomain(dataStats([0, 0]), 'log').max).toBe(1)
    expect(defaultDomain(dataStats([]), 'linear')).toEqual({ min: 0, max: 1, scale: 'linear' })
  })

  it('maps values to [0, 1], clamped; on a log scale zeros are the bottom colour', () => {
    const lin = normalizer({ min: 0, max: 10, scale: 'linear' })
    expect([lin(-1), lin(0), lin(5), lin(10), lin(20)]).toEqual([0, 0, 0.5, 1, 1])
    const log = normalizer({ min: 0.01, max: 100, scale: 'log' })
    expect(log(0)).toBe(0)
    expect(log(1)).toBeCloseTo(0.5, 12)
    expect(log(1e-9)).toBe(0)
    expect(log(1e9)).toBe(1)
  })

  it('ticks at powers of ten on a log scale and evenly on a linear one', () => {
    expect(colorTicks({ min: 1e-6, max: 0.2, scale: 'log' })).toEqual([
      1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1,
    ])
    expect(colorTicks({ min: -1, max: 1, scale: 'linear' }, 5)).toEqual([-1, -0.5, 0, 0.5, 1])
  })
})

describe('orders', () => {
  it('sorts rows and columns by descending |sum|, ties by index', () => {
    expect(Array.from(strengthOrder(M, 2, 3, 'rows'))).toEqual([1, 0]) // sums 3, 15
    expect(Array.from(strengthOrder(M, 2, 3, 'cols'))).toEqual([0, 2, 1]) // sums 10, 1, 7
    expect(axisOrders(M, 2, 3, 'index')).toEqual({ rowOrder: null, colOrder: null })
    const sorted = axisOrders(M, 2, 3, 'strength')
    expect([Array.from(sorted.rowOrder!), Array.from(sorted.colOrder!)]).toEqual([
      [1, 0],
      [0, 2, 1],
    ])
    expect(Array.from(strengthOrder(new Float32Array(4), 2, 2, 'rows'))).toEqual([0, 1])
    expect(Array.from(strengthOrder(Float32Array.from([-4, 1, 2, 2]), 2, 2, 'rows'))).toEqual([
      0, 1,
    ])
  })

  it('inverts a permutation', () => {
    expect(Array.from(inverseOrder(Int32Array.from([2, 0, 1])))).toEqual([1, 2, 0])
    expect(Array.from(inverseOrder(identityOrder(3)))).toEqual([0, 1, 2])
  })

  it('orders rotation rows by the neuron they weigh most: a permutation becomes the diagonal', () => {
    const perm = Float32Array.from([0, 0, -1, 1, 0, 0, 0, 1, 0]) // rows pick cols 2, 0, 1
    expect(Array.from(alignOrder(perm, 3, 3))).toEqual([1, 2, 0])
    expect(meanRowPeak(perm, 3, 3)).toBe(1)
    expect(meanRowPeak(Float32Array.from([0.6, 0.8, -0.8, 0.6]), 2, 2)).toBeCloseTo(0.8, 6)
  })
})

describe('cellFromPoint', () => {
  it('finds the cell under a point in O(1), in data coordinates', () => {
    // 3 columns over 300 px, 2 rows over 100 px.
    expect(cellFromPoint(0, 0, 300, 100, 2, 3)).toMatchObject({ row: 0, col: 0 })
    expect(cellFromPoint(150, 60, 300, 100, 2, 3)).toMatchObject({ row: 1, col: 1 })
    expect(cellFromPoint(299.9, 99.9, 300, 100, 2, 3)).toMatchObject({ row: 1, col: 2 })
  })

  it('maps display positions through the orders and is null outside', () => {
    const rows = Int32Array.from([1, 0])
    const cols = Int32Array.from([0, 2, 1])
    expect(cellFromPoint(150, 10, 300, 100, 2, 3, rows, cols)).toEqual({
      row: 1,
      col: 2,
      displayRow: 0,
      displayCol: 1,
    })
    expect(cellFromPoint(-1, 10, 300, 100, 2, 3)).toBeNull()
    expect(cellFromPoint(300, 10, 300, 100, 2, 3)).toBeNull()
    expect(cellFromPoint(10, 100, 300, 100, 2, 3)).toBeNull()
  })
})

describe('paintCells', () => {
  const lut = colormapLut('viridis')
  const color = (i: number) => Array.from(lut.subarray(i * 4, i * 4 + 4))
  const px = (out: Uint8ClampedArray, i: number) => Array.from(out.subarray(i * 4, i * 4 + 4))

  it('colours min with the first and max with the last LUT entry, in display order', () => {
    const out = new Uint8ClampedArray(6 * 4)
    paintCells(out, M, 2, 3, { min: 0, max: 10, scale: 'linear' }, lut)
    expect(px(out, 0)).toEqual(color(0)) // value 0
    expect(px(out, 3)).toEqual(color(255)) // value 10
    const sorted = new Uint8ClampedArray(6 * 4)
    paintCells(sorted, M, 2, 3, { min: 0, max: 10, scale: 'linear' }, lut, Int32Array.from([1, 0]))
    expect(px(sorted, 0)).toEqual(color(255)) // row 1 shown first
  })

  it('clamps to a shared min/max and leaves NaN transparent', () => {
    const out = new Uint8ClampedArray(3 * 4)
    paintCells(out, [0.5, 100, NaN], 1, 3, { min: 1, max: 2, scale: 'linear' }, lut)
    expect(px(out, 0)).toEqual(color(0))
    expect(px(out, 1)).toEqual(color(255))
    expect(out[11]).toBe(0)
  })
})

describe('formatValue', () => {
  it('prints three significant digits, exponents for tiny and huge values', () => {
    expect(formatValue(0)).toBe('0')
    expect(formatValue(0.012345)).toBe('0.0123')
    expect(formatValue(1e-5)).toBe('1e-5')
    expect(formatValue(1.5e-7)).toBe('1.5e-7')
    expect(formatValue(123456)).toBe('1.23e5')
    expect(formatValue(NaN)).toBe('—')
  })
})
