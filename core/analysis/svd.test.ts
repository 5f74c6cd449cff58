import { describe, expect, it } from 'vitest'
import { gaussian } from '../../test/helpers/random.ts'
import { expectAllClose, expectClose } from '../../test/helpers/tolerance.ts'
import { type Mat, mat, matmul, matmulNT, orthogonalityError, transpose } from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { singularValues, svd } from './svd.ts'

function reconstruct(u: Mat, s: Float64Array, v: Mat): Mat {
  const us = mat(u.rows, u.cols, u.data)
  for (let i = 0; i < u.rows; i++) for (let j = 0; j < u.cols; j++) us.data[i * u.cols + j] *= s[j]
  return matmulNT(us, v)
}

describe('svd (one-sided Jacobi)', () => {
  it.each([
    [7, 7],
    [9, 4],
    [4, 9],
    [1, 5],
  ])('A = U·diag(s)·Vᵀ with orthonormal factors, %i×%i', (rows, cols) => {
    const rng = createRng(rows * 31 + cols)
    const a = gaussian(rows, cols, rng)
    const { u, s, v } = svd(a)
    const p = Math.min(rows, cols)
    expect(u.rows).toBe(rows)
    expect(u.cols).toBe(p)
    expect(v.rows).toBe(cols)
    expect(v.cols).toBe(p)
    expectAllClose(reconstruct(u, s, v).data, a.data, { atol: 1e-12 })
    expect(orthogonalityError(u)).toBeLessThan(1e-12)
    expect(orthogonalityError(v)).toBeLessThan(1e-12)
    for (let i = 1; i < p; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1])
    expectAllClose(singularValues(a), s, { rtol: 1e-12, atol: 1e-14 })
  })

  it('recovers planted singular values, including tiny ones to relative accuracy', () => {
    const rng = createRng(3)
    const planted = [5, 2, 1, 1e-3, 1e-9, 1e-14]
    const n = planted.length
    const left = haarRotation(8, rng)
    const right = haarRotation(n, rng)
    // A = U₀·diag(s)·V₀ᵀ with U₀ the first n columns of an 8×8 rotation.
    const u0 = mat(8, n)
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < n; j++) u0.data[i * n + j] = left.data[i * 8 + j] * planted[j]
    const a = matmul(u0, transpose(right))
    const s = singularValues(a)
    for (let i = 0; i < n; i++) expectClose(s[i], planted[i], { rtol: 1e-6, atol: 1e-15 })
    expectAllClose(s.slice(0, 4), planted.slice(0, 4), { rtol: 1e-12 })
  })

  it('handles rank deficiency: zero singular values and still-orthonormal U', () => {
    const rng = createRng(4)
    const b = gaussian(6, 2, rng)
    const a = matmulNT(b, gaussian(4, 2, rng)) // 6×4 of rank 2
    const { u, s, v } = svd(a)
    expect(s[2]).toBeLessThan(1e-12)
    expect(s[3]).toBeLessThan(1e-12)
    expect(orthogonalityError(u)).toBeLessThan(1e-10)
    expectAllClose(reconstruct(u, s, v).data, a.data, { atol: 1e-12 })
    const zero = svd(mat(3, 2))
    expectAllClose(zero.s, [0, 0])
    expect(orthogonalityError(zero.u)).toBeLessThan(1e-15)
  })
})
