import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ABS_HISTOGRAM,
  accumulateAbsHistogram,
  emptyAbsHistogram,
} from './abs-histogram.ts'

describe('accumulateAbsHistogram', () => {
  it('bins log10 |v| into equal-width bins, with exact zeros apart and tiny values below', () => {
    // 5 bins of one decade each over [1e-3, 1e2).
    const h = emptyAbsHistogram({ log10Min: -3, log10Max: 2, bins: 5 })
    accumulateAbsHistogram(h, [0, 1e-4, -2e-3, 5e-3, 0.05, -0.5, 1, 9.99, 10, -50, 99])
    // [1e-3,1e-2): 2e-3, 5e-3 · [1e-2,1e-1): 0.05 · [0.1,1): 0.5 · [1,10): 1, 9.99 · [10,100): 10, 50, 99
    expect(h.counts).toEqual([2, 1, 1, 2, 3])
    expect(h.zeros).toBe(1)
    expect(h.below).toBe(1) // 1e-4
  })

  it('puts bin edges in the upper bin and everything at or above the top in the last bin', () => {
    const h = emptyAbsHistogram({ log10Min: -2, log10Max: 0, bins: 2 })
    accumulateAbsHistogram(h, [0.01, 0.1, 1, 1e6])
    expect(h.counts).toEqual([1, 3])
    expect(h.below).toBe(0)
  })

  it('reads a slice of a chunk, counts each entry `weight` times and accumulates', () => {
    const h = emptyAbsHistogram({ log10Min: -1, log10Max: 1, bins: 4 })
    const chunk = Float32Array.from([5, 5, 5, /* sample 1: */ 0.2, 0, -3, /* sample 2: */ 5, 5, 5])
    accumulateAbsHistogram(h, chunk, 3, 3, 10)
    // log10 0.2 ≈ −0.70 → bin 0; log10 3 ≈ 0.48 → bin 2.
    expect(h.counts).toEqual([10, 0, 10, 0])
    expect(h.zeros).toBe(10)
    expect(h.below).toBe(0)
    accumulateAbsHistogram(h, chunk, 0, 3)
    expect(h.counts).toEqual([10, 0, 10, 3])
    expect(h.zeros).toBe(10)
  })

  it('counts NaN as below and rejects a bad spec', () => {
    const h = emptyAbsHistogram()
    accumulateAbsHistogram(h, [NaN, 1])
    expect(h.below).toBe(1)
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1)
    expect(h.counts).toHaveLength(DEFAULT_ABS_HISTOGRAM.bins)
    expect(() => emptyAbsHistogram({ log10Min: 1, log10Max: 1, bins: 3 })).toThrow(RangeError)
    expect(() => emptyAbsHistogram({ log10Min: 0, log10Max: 1, bins: 0 })).toThrow(RangeError)
  })
})
