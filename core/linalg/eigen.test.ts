import { describe, expect, it } from 'vitest'
import { diag } from '../../test/helpers/fixtures.ts'
import { gaussian } from '../../test/helpers/random.ts'
import { expectAllClose, expectClose } from '../../test/helpers/tolerance.ts'
import { createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { polar, svd, symmetricEigen } from './eigen.ts'
import {
  type Mat,
  add,
  frobenius,
  identity,
  mat,
  matmul,
  matmulNT,
  matmulTN,
  orthogonalityError,
  transpose,
  zeros,
} from './matrix.ts'

function randomSymmetric(n: number, seed: number): Mat {
  const g = gaussian(n, n, createRng(seed))
  return add(g, transpose(g))
}

/** max over i of ‖A·v_i − λ_i·v_i‖ / ‖A‖_F, with v_i the rows of V. */
function worstResidual(a: Mat, values: Float64Array, vectors: Mat): number {
  const n = a.rows
  const av = matmulNT(a, vectors) // column i is A·v_i
  let worst = 0
  for (let i = 0; i < n; i++) {
    let r = 0
    for (let k = 0; k < n; k++) r += (av.data[k * n + i] - values[i] * vectors.data[i * n + k]) ** 2
    worst = Math.max(worst, Math.sqrt(r))
  }
  return worst / frobenius(a)
}

describe('symmetricEigen', () => {
  it('diagonalises a known 2×2 and 3×3 matrix', () => {
    const e2 = symmetricEigen(mat(2, 2, [2, 1, 1, 2]))
    expectAllClose(e2.values, [3, 1], { atol: 1e-15 })
    const h = Math.SQRT1_2
    // Rows are eigenvectors, up to sign.
    expectAllClose(e2.vectors.data.map(Math.abs), [h, h, h, h], { atol: 1e-15 })
    expectClose(e2.vectors.data[0] * e2.vectors.data[1], 0.5, { atol: 1e-15 })

    // [[2,-1,0],[-1,2,-1],[0,-1,2]]: eigenvalues 2 + √2, 2, 2 − √2.
    const e3 = symmetricEigen(mat(3, 3, [2, -1, 0, -1, 2, -1, 0, -1, 2]))
    expectAllClose(e3.values, [2 + Math.SQRT2, 2, 2 - Math.SQRT2], { atol: 1e-14 })
    expectAllClose(e3.vectors.data.slice(3, 6).map(Math.abs), [h, 0, h], { atol: 1e-15 })
  })

  it('recovers a planted spectrum Qᵀ·diag(λ)·Q with rows = ±rows of Q', () => {
    const n = 12
    const q = haarRotation(n, createRng(3))
    const lambda = Array.from({ length: n }, (_, i) => n - i + 0.5 * Math.sin(i))
    const a = matmulTN(q, matmul(diag(lambda), q))
    const { values, vectors } = symmetricEigen(a)
    expectAllClose(values, lambda, { atol: 1e-12 })
    const overlap = matmulNT(vectors, q)
    for (let i = 0; i < n; i++) expectClose(Math.abs(overlap.data[i * n + i]), 1, { atol: 1e-12 })
  })

  it.each([1, 2, 5, 17, 40])('random symmetric %i×%i: A·v = λ·v, V orthogonal', (n) => {
    const a = randomSymmetric(n, 10 + n)
    const { values, vectors, sweeps } = symmetricEigen(a)
    expect(worstResidual(a, values, vectors)).toBeLessThan(1e-13)
    expect(orthogonalityError(vectors)).toBeLessThan(1e-13)
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1])
    // V·A·Vᵀ = diag(λ), and the trace is preserved.
    const d = matmulNT(matmul(vectors, a), vectors)
    expectAllClose(d.data, diag(values).data, { atol: 1e-12 * frobenius(a) })
    expect(sweeps).toBeLessThan(15)
  })

  it('handles degenerate and zero spectra', () => {
    const eye = symmetricEigen(identity(5))
    expectAllClose(eye.values, [1, 1, 1, 1, 1], { atol: 0 })
    expect(orthogonalityError(eye.vectors)).toBe(0)
    const z = symmetricEigen(zeros(3, 3))
    expectAllClose(z.values, [0, 0, 0], { atol: 0 })
    // A rank-2 PSD matrix with a repeated zero eigenvalue.
    const b = gaussian(2, 9, createRng(4))
    const g = matmulTN(b, b)
    const e = symmetricEigen(g)
    expect(worstResidual(g, e.values, e.vectors)).toBeLessThan(1e-13)
    expect(orthogonalityError(e.vectors)).toBeLessThan(1e-13)
    expect(Math.abs(e.values[2])).toBeLessThan(1e-13 * e.values[0])
  })
})

describe('svd (one-sided Jacobi)', () => {
  it.each([
    [6, 6],
    [4, 9],
    [9, 4],
  ])('reconstructs a random %i×%i matrix with orthonormal factors', (m, n) => {
    const a = gaussian(m, n, createRng(m * 31 + n))
    const { u, s, v } = svd(a)
    const k = Math.min(m, n)
    expect(u.rows).toBe(m)
    expect(u.cols).toBe(k)
    expect(v.rows).toBe(n)
    expect(v.cols).toBe(k)
    expectAllClose(matmulTN(u, u).data, identity(k).data, { atol: 1e-14 })
    expectAllClose(matmulTN(v, v).data, identity(k).data, { atol: 1e-14 })
    const rec = matmulNT(matmul(u, diag(s)), v)
    expectAllClose(rec.data, a.data, { atol: 1e-13 })
    for (let i = 1; i < k; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1])
  })

  it('gets tiny singular values to relative accuracy (where eig(AᵀA) would not)', () => {
    const n = 6
    const sigma = [1, 1e-3, 1e-6, 1e-9, 1e-12, 1e-14]
    const u = haarRotation(n, createRng(1))
    const v = haarRotation(n, createRng(2))
    const a = matmulNT(matmul(u, diag(sigma)), v)
    const { s } = svd(a)
    // Graded matrices built by a product carry ~1e-16 absolute error, so compare
    // relatively down to 1e-9 and absolutely below.
    for (let i = 0; i < n; i++) expectClose(s[i], sigma[i], { rtol: 1e-6, atol: 1e-15 })
  })

  it('completes the singular vectors of a rank-deficient matrix', () => {
    const b = gaussian(5, 2, createRng(8))
    const a = matmulNT(b, gaussian(5, 2, createRng(9))) // rank 2
    const { u, s, v } = svd(a)
    expect(s[2]).toBeLessThan(1e-14 * s[0])
    expectAllClose(matmulTN(u, u).data, identity(5).data, { atol: 1e-13 })
    expectAllClose(matmulTN(v, v).data, identity(5).data, { atol: 1e-13 })
    expectAllClose(matmulNT(matmul(u, diag(s)), v).data, a.data, { atol: 1e-13 })
  })
})

describe('polar', () => {
  it('returns Q for Q·P with P symmetric positive definite', () => {
    const n = 7
    const q = haarRotation(n, createRng(11))
    const b = gaussian(n, n, createRng(12))
    const p = add(matmulTN(b, b), identity(n))
    const got = polar(matmul(q, p))
    expectAllClose(got.data, q.data, { atol: 1e-12 })
    expect(orthogonalityError(got)).toBeLessThan(1e-14)
  })

  it('is orthogonal even for a singular argument', () => {
    const a = matmulNT(gaussian(6, 3, createRng(1)), gaussian(6, 3, createRng(2)))
    expect(orthogonalityError(polar(a))).toBeLessThan(1e-13)
  })
})
