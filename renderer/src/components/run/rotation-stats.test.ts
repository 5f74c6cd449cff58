import { describe, expect, it } from 'vitest'
import { minusIdentity, rotationDistance } from './rotation-stats.ts'

describe('rotation distance from the neuron basis', () => {
  it('is zero for the identity and measures a rotation by its off-diagonal mass', () => {
    expect(rotationDistance([1, 0, 0, 1], 2)).toEqual({
      offDiagonalMass: 0,
      fromIdentity: 0,
      randomOffDiagonalMass: 0.5,
    })
    const c = Math.cos(Math.PI / 6)
    const s = Math.sin(Math.PI / 6)
    const r = rotationDistance([c, -s, s, c], 2)
    expect(r.offDiagonalMass).toBeCloseTo(s * s)
    expect(r.fromIdentity).toBeCloseTo(Math.sqrt(2 * (c - 1) ** 2 + 2 * s * s))
    // A permutation is all off the diagonal (the mean row max says it is still neurons).
    expect(rotationDistance([0, 1, 1, 0], 2).offDiagonalMass).toBe(1)
  })

  it('subtracts the identity', () => {
    expect([...minusIdentity([1, 0.5, 0, 0.25], 2)]).toEqual([0, 0.5, 0, -0.75])
  })
})
