import { describe, expect, it } from 'vitest'
import {
  logRatio,
  magnitudeDifference,
  maxAbsOf,
  nearZeroMask,
  normalizedMagnitude,
  shapeMismatch,
} from './jacobian-maps.ts'

describe('jacobian maps', () => {
  it('normalizes |J| by its max, and leaves a zero J zero', () => {
    expect(Array.from(normalizedMagnitude([2, -4, 1, 0]))).toEqual([0.5, 1, 0.25, 0])
    expect(Array.from(normalizedMagnitude([0, 0]))).toEqual([0, 0])
    expect(maxAbsOf([1, -3, 2])).toBe(3)
  })

  it('masks entries under threshold·max as near zero (strict), like the metric', () => {
    // Cut 0.01·4 = 0.04: 0.04 itself counts (strict <), 0.039 and 0 are near zero.
    const { mask, nearZero } = nearZeroMask([4, 0.04, 0.039, 0, -1], 0.01)
    expect(Array.from(mask)).toEqual([1, 1, 0, 0, 1])
    expect(nearZero).toBe(2 / 5)
    expect(nearZeroMask([0, 0, 0], 0.01).nearZero).toBe(1)
  })

  it('sets two maps against each other: after − before and a floored log-ratio', () => {
    expect(Array.from(magnitudeDifference([1, -2, 0], [-3, 1, 0]))).toEqual([2, -1, 0])
    const { data, floor } = logRatio([1, 100, 0, 1e-9], [10, 1, 0, 1e-7], 1e-3)
    expect(floor).toBeCloseTo(0.1, 12)
    // 10/1 → +1; 1/100 → −2; both zero and both under the floor → 0.
    expect(Array.from(data).map((v) => Number(v.toFixed(6)))).toEqual([1, -2, 0, 0])
    expect(() => magnitudeDifference([1], [1, 2])).toThrow(/1 entries against 2/)
  })

  it('names the two shapes when maps do not match', () => {
    expect(shapeMismatch({ rows: 2, cols: 3 }, { rows: 2, cols: 3 })).toBeNull()
    expect(shapeMismatch({ rows: 32, cols: 784 }, { rows: 128, cols: 784 })).toMatch(
      /32×784 against 128×784/,
    )
  })
})
