import { describe, expect, it } from 'vitest'
import { type Mat, identity, mat, transpose } from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { basisDirections, basisSimilarity } from './basis-similarity.ts'

/** Rows of `a` reordered by `order` and sign-flipped by `signs`. */
function signedPermutation(a: Mat, order: number[], signs: number[]): Mat {
  const out = mat(a.rows, a.cols)
  order.forEach((src, i) => {
    for (let j = 0; j < a.cols; j++) out.data[i * a.cols + j] = signs[i] * a.data[src * a.cols + j]
  })
  return out
}

describe('basis similarity', () => {
  it('says when two runs agree only because neither left the identity', () => {
    const s = basisSimilarity(
      [
        { runId: 1, directions: identity(6) },
        { runId: 2, directions: identity(6) },
      ],
      1,
    )
    expect(s.pairs).toEqual([{ a: 1, b: 2, meanAbsCos: 1, permutationDistance: 0 }])
    expect(s.identity.map((r) => [r.runId, r.meanAbsCos])).toEqual([
      [1, 1],
      [2, 1],
    ])
    expect(s.chance).toBeGreaterThan(0.3)
    expect(s.chance).toBeLessThan(0.9)
  })

  it('matches a learned basis up to sign and order, far from the identity', () => {
    const r = haarRotation(8, createRng(3))
    const shuffled = signedPermutation(r, [3, 0, 7, 1, 6, 2, 5, 4], [1, -1, 1, 1, -1, -1, 1, -1])
    const s = basisSimilarity(
      [
        { runId: 4, directions: r },
        { runId: 9, directions: shuffled },
        { runId: 5, directions: identity(8) },
      ],
      2,
    )
    expect(s.size).toBe(8)
    const pair = (a: number, b: number) => s.pairs.find((p) => p.a === a && p.b === b)!
    expect(pair(4, 9).meanAbsCos).toBeCloseTo(1, 6)
    expect(pair(4, 9).permutationDistance).toBeCloseTo(0, 3)
    expect(pair(4, 5).meanAbsCos).toBeCloseTo(s.identity[0].meanAbsCos, 12)
    expect(s.identity[0].meanAbsCos).toBeLessThan(0.9)
    expect(s.identity[2]).toEqual({ runId: 5, meanAbsCos: 1, permutationDistance: 0 })
    expect(s.pairs.map((p) => [p.a, p.b])).toEqual([
      [4, 9],
      [4, 5],
      [9, 5],
    ])
  })

  it('reads an oblique basis by the columns of T⁻¹ and a rotation by its rows', () => {
    const r = haarRotation(5, createRng(7))
    expect(basisDirections(r, null)).toBe(r)
    const viaInverse = basisDirections(r, transpose(r))
    for (let e = 0; e < r.data.length; e++) expect(viaInverse.data[e]).toBeCloseTo(r.data[e], 12)
    const tInverse = mat(2, 2, [1, Math.SQRT1_2, 0, Math.SQRT1_2]) // unit columns (1,0), (√½,√½)
    const directions = basisDirections(mat(2, 2, [1, -1, 0, Math.SQRT2]), tInverse)
    expect(Array.from(directions.data)).toEqual([1, 0, Math.SQRT1_2, Math.SQRT1_2])
  })

  it('refuses bases of different sizes', () => {
    expect(() =>
      basisSimilarity(
        [
          { runId: 1, directions: identity(3) },
          { runId: 2, directions: identity(4) },
        ],
        0,
      ),
    ).toThrow(/run 2's basis is 4×4, expected 3×3/)
  })
})
