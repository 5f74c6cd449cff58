import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../test/helpers/tolerance.ts'
import { type Mat, identity, mat, matmul, matmulNT } from '../linalg/matrix.ts'
import { createRng, permutation } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import {
  agreementBaseline,
  basisAgreement,
  channelAgreement,
  principalAngles,
  subspaceAgreement,
} from './basis-agreement.ts'

/** B[j] = signs[j]·A[perm[j]]. */
function signedPermutation(a: Mat, perm: readonly number[], signs: readonly number[]): Mat {
  const d = a.cols
  const b = mat(a.rows, d)
  perm.forEach((src, j) => {
    for (let c = 0; c < d; c++) b.data[j * d + c] = signs[j] * a.data[src * d + c]
  })
  return b
}

describe('basisAgreement', () => {
  it('a basis vs its own rows permuted and sign-flipped: perfect agreement, right matching', () => {
    const rng = createRng(21)
    const d = 64
    const a = haarRotation(d, rng)
    const perm = permutation(d, rng)
    const signs = perm.map(() => (rng.next() < 0.5 ? -1 : 1))
    const b = signedPermutation(a, perm, signs)
    const r = basisAgreement(a, b)
    expectClose(r.meanAbsCos, 1, { atol: 1e-12 })
    // B[j] = ±A[perm[j]], so row perm[j] of A matches row j of B with sign signs[j].
    perm.forEach((src, j) => {
      expect(r.matching[src]).toBe(j)
      expect(r.signs[src]).toBe(signs[j])
    })
    expect(Math.max(...r.matchedAngles)).toBeLessThan(1e-12)
    expect(r.permutationDistance).toBeLessThan(1e-12)
    expect(r.k).toBe(d)
    expect(r.principalAngles).toEqual(new Array(d).fill(0))
  })

  it('two independent Haar bases in d = 64 agree poorly', () => {
    const rng = createRng(22)
    const a = haarRotation(64, rng)
    const b = haarRotation(64, rng)
    const r = basisAgreement(a, b)
    expect(r.meanAbsCos).toBeGreaterThan(0)
    expect(r.meanAbsCos).toBeLessThan(0.5)
    expectClose(r.permutationDistance, Math.sqrt(1 - r.meanAbsCos), { atol: 1e-12 })
    expect(new Set(r.matching).size).toBe(64)
    // The matching maximises Σ|cos|: no swap of two partners improves it.
    const cos = matmulNT(a, b)
    const abs = (i: number, j: number): number => Math.abs(cos.data[i * 64 + j])
    for (let i = 0; i < 64; i++) {
      for (let k = i + 1; k < 64; k++) {
        const [mi, mk] = [r.matching[i], r.matching[k]]
        expect(abs(i, mi) + abs(k, mk)).toBeGreaterThanOrEqual(abs(i, mk) + abs(k, mi) - 1e-12)
      }
    }
  })

  it('the optimal matching beats greedy on a hand-made case', () => {
    // Unit rows, |cos| table [[0.6, 0.5], [0.5, 0]]. Greedy takes the largest entry
    // A0↔B0 (0.6) and is left with A1↔B1 (0): total 0.6. The optimum crosses: 0.5 + 0.5.
    const a = mat(2, 3, [1, 0, 0, 0, 1, 0])
    const b = mat(2, 3, [0.6, 0.5, Math.sqrt(1 - 0.61), 0.5, 0, Math.sqrt(0.75)])
    const r = basisAgreement(a, b, { k: 0 })
    expect(r.matching).toEqual([1, 0])
    expectAllClose(r.matchedAbsCos, [0.5, 0.5], { atol: 1e-15 })
    expectClose(r.meanAbsCos, 0.5, { atol: 1e-15 })
    expectAllClose(r.matchedAngles, [Math.PI / 3, Math.PI / 3], { atol: 1e-15 })
  })

  it('channelAgreement is basisAgreement of R_out of layer k vs R_in of layer k+1', () => {
    const rng = createRng(23)
    const rOut = haarRotation(8, rng)
    const rIn = signedPermutation(rOut, [3, 1, 0, 2, 7, 6, 5, 4], [1, -1, 1, 1, -1, 1, 1, -1])
    const r = channelAgreement(rOut, rIn, { k: 3 })
    expectClose(r.meanAbsCos, 1, { atol: 1e-12 })
    expect(r.matching).toEqual([2, 1, 3, 0, 7, 6, 5, 4])
    expect(r.k).toBe(3)
    expect(r.principalAngles).toHaveLength(3)
  })
})

describe('principal angles', () => {
  /** A = I₄·Q, B = rows mixing e1/e3 by θ1 and e2/e4 by θ2, then ·Q. */
  function planted(theta1: number, theta2: number, q: Mat): { a: Mat; b: Mat } {
    const [c1, s1, c2, s2] = [
      Math.cos(theta1),
      Math.sin(theta1),
      Math.cos(theta2),
      Math.sin(theta2),
    ]
    const b = mat(4, 4, [c1, 0, s1, 0, 0, c2, 0, s2, -s1, 0, c1, 0, 0, -s2, 0, c2])
    return { a: matmul(identity(4), q), b: matmul(b, q) }
  }

  it('recovers planted angles between 2-dimensional subspaces of R⁴', () => {
    const q = haarRotation(4, createRng(31))
    const { a, b } = planted(0.3, 1.1, q)
    expectAllClose(principalAngles(a, b, 2), [0.3, 1.1], { atol: 1e-13 })
    expectAllClose(principalAngles(b, a, 2), [0.3, 1.1], { atol: 1e-13 })
    expectAllClose(principalAngles(a, b, 1), [0.3], { atol: 1e-13 })
    // Non-square A takes the residual route to the sines.
    const a2 = mat(2, 4, a.data.subarray(0, 8))
    expectAllClose(principalAngles(a2, b, 2), [0.3, 1.1], { atol: 1e-13 })
    const sub = subspaceAgreement(a, b, 2)
    expectAllClose(sub.cosines, [Math.cos(0.3), Math.cos(1.1)], { atol: 1e-13 })
    expectClose(sub.overlap, (Math.cos(0.3) ** 2 + Math.cos(1.1) ** 2) / 2, { atol: 1e-13 })
    expect(sub.chanceOverlap).toBe(0.5)
  })

  it('k > d/2 via the orthogonal complements agrees with the direct route', () => {
    const q = haarRotation(4, createRng(34))
    const { a, b } = planted(0.3, 1.1, q)
    // span(A[:3]) and span(B[:3]) differ only through the e2/e4 plane: angles 0, 0, θ2.
    expectAllClose(principalAngles(a, b, 3), [0, 0, 1.1], { atol: 1e-13 })
    expectAllClose(principalAngles(mat(3, 4, a.data.subarray(0, 12)), b, 3), [0, 0, 1.1], {
      atol: 1e-13,
    })
    const rng = createRng(35)
    const c = haarRotation(10, rng)
    const e = haarRotation(10, rng)
    const viaComplement = principalAngles(c, e, 7)
    expect(viaComplement.slice(0, 4)).toEqual([0, 0, 0, 0])
    expectAllClose(viaComplement, principalAngles(mat(7, 10, c.data.subarray(0, 70)), e, 7), {
      atol: 1e-12,
    })
  })

  it('stays accurate for tiny angles, where arccos of the cosine would not', () => {
    const q = haarRotation(4, createRng(32))
    const { a, b } = planted(1e-9, 3e-11, q)
    expectAllClose(principalAngles(a, b, 2), [3e-11, 1e-9], { rtol: 1e-4 })
  })

  it('is zero for the same subspace with rows permuted and orthogonal angles are π/2', () => {
    const rng = createRng(33)
    const a = haarRotation(10, rng)
    // Permute within the first 4 rows and within the rest.
    const b = signedPermutation(a, [2, 0, 3, 1, 9, 8, 7, 6, 5, 4], [1, -1, 1, -1, 1, 1, 1, 1, 1, 1])
    expect(Math.max(...principalAngles(a, b, 4))).toBeLessThan(1e-12)
    // span(A[0:2]) vs span(rows 2, 3 of A) are orthogonal.
    const c = signedPermutation(a, [2, 3, 0, 1, 4, 5, 6, 7, 8, 9], new Array(10).fill(1))
    expectAllClose(principalAngles(a, c, 2), [Math.PI / 2, Math.PI / 2], { atol: 1e-12 })
  })
})

describe('agreementBaseline', () => {
  it('is well below 1 for random bases and reproducible', () => {
    const r = agreementBaseline(32, { trials: 3, seed: 5 })
    expect(r.samples).toHaveLength(3)
    expect(r.mean).toBeGreaterThan(0.1)
    expect(r.mean).toBeLessThan(0.6)
    expect(agreementBaseline(32, { trials: 3, seed: 5 }).samples).toEqual(r.samples)
  })
})
