import { describe, expect, it } from 'vitest'
import { expectClose } from '../../../test/helpers/tolerance.ts'
import { rowFanIn } from './fan-in.ts'
import { hoyerSparsity } from './hoyer-sparsity.ts'
import { NEAR_ZERO_THRESHOLD, nearZero } from './near-zero.ts'

describe('nearZero', () => {
  it('counts entries strictly below 0.01·max|J|', () => {
    expect(NEAR_ZERO_THRESHOLD).toBe(0.01)
    // max 100, so the cut is exactly 1: 1 and −1 are NOT near zero, 0.999 and 0 are.
    expect(0.01 * 100).toBe(1)
    expect(nearZero([100, 1, 0.999, -1, 0])).toBe(2 / 5)
    expect(nearZero(Float32Array.from([-100, 1, 0.5, -1, 0, 50, -0.25, 2]))).toBe(3 / 8)
  })

  it('uses |J|, so the sign of the largest entry does not matter', () => {
    expect(nearZero([-200, 1.5, 2, 3])).toBe(1 / 4)
    expect(nearZero([200, -1.5, -2, -3])).toBe(1 / 4)
  })

  it('counts nothing near zero in a flat J and everything but the peak in a one-hot', () => {
    expect(nearZero([0.3, -0.3, 0.3, 0.3])).toBe(0)
    expect(nearZero([0, 0, 7, 0, 0])).toBe(4 / 5)
  })

  it('counts an all-zero Jacobian as 1', () => {
    expect(nearZero([0, 0, 0])).toBe(1)
    expect(nearZero(new Float32Array(6), 2, 3)).toBe(1)
  })

  it('takes an explicit threshold', () => {
    expect(nearZero([10, 1, 0.5, 2], 0, 4, 0.1)).toBe(1 / 4)
    expect(nearZero([10, 1, 0.5, 2], 0, 4, 0.25)).toBe(3 / 4)
  })

  it('picks one sample out of a chunk with start and size', () => {
    const chunk = Float32Array.from([
      ...[1, 1, 1, 1], // sample 0: flat
      ...[0, 0, 0, 0], // sample 1: all zero
      ...[64, 0, 0.5, 1], // sample 2: cut 0.64
      ...[1000, 5, 9, 11], // sample 3: cut 10
    ])
    expect(nearZero(chunk, 0, 4)).toBe(0)
    expect(nearZero(chunk, 4, 4)).toBe(1)
    expect(nearZero(chunk, 8, 4)).toBe(2 / 4)
    expect(nearZero(chunk, 12, 4)).toBe(2 / 4)
    // The max is taken within the sample only: sample 3's 1000 does not affect sample 2.
    expect(nearZero(chunk, 8, 8)).toBe(5 / 8)
  })
})

describe('hoyerSparsity', () => {
  it('is 1 for a one-hot, 0 for a constant vector, 1 for all zeros', () => {
    expectClose(hoyerSparsity([0, 0, -3, 0, 0, 0, 0, 0, 0]), 1, { atol: 1e-15 })
    expectClose(hoyerSparsity([2, -2, 2, 2, -2, 2, 2, 2, 2]), 0, { atol: 1e-15 })
    expectClose(hoyerSparsity(new Array(7).fill(0.1)), 0, { atol: 1e-14 })
    expect(hoyerSparsity([0, 0, 0, 0])).toBe(1)
  })

  it('matches the formula on a small case', () => {
    // [3, −4]: ‖J‖₁/‖J‖₂ = 7/5
    expectClose(hoyerSparsity([3, -4]), (Math.SQRT2 - 1.4) / (Math.SQRT2 - 1), { atol: 1e-15 })
    // [1, 1, 0, 0]: ‖J‖₁/‖J‖₂ = √2, n = 4
    expectClose(hoyerSparsity([1, 1, 0, 0]), (2 - Math.SQRT2) / (2 - 1), { atol: 1e-15 })
  })

  it('picks one sample out of a chunk with start and size', () => {
    const chunk = Float32Array.from([1, 1, 1, 1, 0, 5, 0, 0, 0, 0, 0, 0])
    expectClose(hoyerSparsity(chunk, 0, 4), 0, { atol: 1e-15 })
    expectClose(hoyerSparsity(chunk, 4, 4), 1, { atol: 1e-15 })
    expect(hoyerSparsity(chunk, 8, 4)).toBe(1)
  })

  it('is 1 for a single nonzero entry even when J has one entry (1×1 layer)', () => {
    // (√1 − 1)/(√1 − 1) is 0/0; a 1×1 Jacobian is one entry, as sparse as it gets.
    expect(hoyerSparsity([2.5])).toBe(1)
    expect(hoyerSparsity([0])).toBe(1)
    expect(hoyerSparsity(Float32Array.from([1, 1, -7]), 2, 1)).toBe(1)
  })
})

describe('rowFanIn', () => {
  it('is 1 for a one-hot row, m for a constant row of length m, null for a zero row', () => {
    expect(rowFanIn([0, 0, -4, 0], 0, 4)).toBe(1)
    expectClose(rowFanIn(new Array(6).fill(-0.5), 0, 6)!, 6, { atol: 1e-14 })
    expectClose(rowFanIn([3, 3, 3], 0, 3)!, 3, { atol: 1e-14 })
    expect(rowFanIn([0, 0, 0], 0, 3)).toBeNull()
  })

  it('is the participation ratio (Σ J²)²/Σ J⁴', () => {
    expectClose(rowFanIn([3, -4], 0, 2)!, 625 / 337, { atol: 1e-15 })
    expectClose(rowFanIn([1, 1, 0, 0], 0, 4)!, 2, { atol: 1e-15 })
  })

  it('reads one row of a row-major Jacobian', () => {
    // 3×4 Jacobian: rows one-hot, flat, zero
    const j = Float32Array.from([0, 2, 0, 0, 1, -1, 1, -1, 0, 0, 0, 0])
    expect(rowFanIn(j, 0, 4)).toBe(1)
    expectClose(rowFanIn(j, 4, 4)!, 4, { atol: 1e-15 })
    expect(rowFanIn(j, 8, 4)).toBeNull()
  })
})
