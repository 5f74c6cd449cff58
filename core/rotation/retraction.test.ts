import { beforeAll, describe, expect, it } from 'vitest'
import { initCompute, isNative } from '../backend/compute.ts'
import { expectAllClose, expectClose } from '../../test/helpers/tolerance.ts'
import {
  type Mat,
  add,
  axpby,
  dot,
  frobenius,
  identity,
  mat,
  matmul,
  orthogonalityError,
  scale,
  sub,
  transpose,
  zeros,
} from '../linalg/matrix.ts'
import { qr } from '../linalg/qr.ts'
import { solve } from '../linalg/solve.ts'
import { createRng } from '../random/prng.ts'
import { gaussian, randomSkew } from '../../test/helpers/random.ts'
import { cayleyStep, haarRotation, reorthonormalize, riemannianGradient } from './retraction.ts'

function maxAbsDiff(a: Mat, b: Mat): number {
  let m = 0
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]))
  return m
}

describe('cayleyStep', () => {
  it.each([1e-3, 0.1, 1, 10, 1000])('keeps R orthogonal to 1e-12 for steps of size %d', (size) => {
    const rng = createRng(17)
    let r = haarRotation(20, rng)
    for (let k = 0; k < 10; k++) {
      r = cayleyStep(r, randomSkew(20, rng, size))
      expect(orthogonalityError(r)).toBeLessThan(1e-12)
    }
  })

  it('is (I − Ω)·R to first order and (I − Ω + Ω²/2)·R to second', () => {
    const rng = createRng(2)
    const r = haarRotation(8, rng)
    const direction = randomSkew(8, rng)
    const n = frobenius(direction)
    for (const t of [1e-3, 1e-4, 1e-6]) {
      const omega = scale(direction, t / n) // ‖Ω‖ = t
      const step = cayleyStep(r, omega)
      const first = matmul(sub(identity(8), omega), r)
      const second = matmul(add(sub(identity(8), omega), scale(matmul(omega, omega), 0.5)), r)
      expect(frobenius(sub(step, first))).toBeLessThan(t * t)
      expect(frobenius(sub(step, first))).toBeGreaterThan(0.01 * t * t)
      expect(frobenius(sub(step, second))).toBeLessThan(t * t * t + 1e-14)
    }
  })

  it('is the identity map for Ω = 0, and undone by −Ω', () => {
    const rng = createRng(3)
    const r = haarRotation(6, rng)
    expectAllClose(cayleyStep(r, zeros(6, 6)).data, r.data, { atol: 1e-15 })
    const omega = randomSkew(6, rng, 2)
    expectAllClose(cayleyStep(cayleyStep(r, omega), scale(omega, -1)).data, r.data, { atol: 1e-13 })
  })

  it('in 2D rotates by −2·atan(θ/2) for Ω = [[0, −θ], [θ, 0]]', () => {
    const theta = 3
    const step = cayleyStep(identity(2), mat(2, 2, [0, -theta, theta, 0]))
    const phi = -2 * Math.atan(theta / 2)
    const expected = mat(2, 2, [Math.cos(phi), -Math.sin(phi), Math.sin(phi), Math.cos(phi)])
    expectAllClose(step.data, expected.data, { atol: 1e-15 })
  })
})

describe('cayleyStep on the native backend (matrix products, no solve)', () => {
  beforeAll(async () => {
    await initCompute()
  })

  it.each([1e-3, 0.05, 0.3, 1.5])(
    'equals (I + ½Ω)⁻¹(I − ½Ω)·R by LU for a step of scale %s',
    (sigma) => {
      const rng = createRng(91)
      const n = 64
      const r = haarRotation(n, rng)
      const g = zeros(n, n)
      for (let i = 0; i < g.data.length; i++) g.data[i] = sigma * rng.normal()
      const omega = sub(g, transpose(g))
      const half = scale(omega, 0.5)
      const expected = solve(
        axpby(1, identity(n), 1, half),
        matmul(axpby(1, identity(n), -1, half), r),
      )
      const got = cayleyStep(r, omega)
      expectAllClose(got.data, expected.data, { atol: 1e-12, label: `σ ${sigma}` })
      expect(orthogonalityError(got)).toBeLessThan(1e-12)
      expect(isNative() || process.env.BASISCOPE_BACKEND !== undefined).toBe(true)
    },
  )
})

describe('riemannianGradient', () => {
  it('is skew(∇f·Rᵀ)', () => {
    const rng = createRng(4)
    const r = haarRotation(7, rng)
    const g = gaussian(7, 7, rng)
    const omega = riemannianGradient(r, g)
    for (let i = 0; i < 7; i++) {
      for (let j = 0; j < 7; j++) expect(omega.data[i * 7 + j] + omega.data[j * 7 + i]).toBe(0)
    }
    const gr = matmul(g, transpose(r))
    expectAllClose(omega.data, scale(sub(gr, transpose(gr)), 0.5).data, { atol: 1e-15 })
  })

  it('gives the descent rate −‖Ω‖² of a linear f(R) = ⟨G, R⟩ along R ← (I − tΩ)R', () => {
    const rng = createRng(5)
    const r = haarRotation(9, rng)
    const g = gaussian(9, 9, rng)
    const omega = riemannianGradient(r, g)
    const h = 1e-6
    const f = (t: number): number => dot(g, cayleyStep(r, scale(omega, t)))
    const rate = (f(h) - f(-h)) / (2 * h)
    expectClose(rate, -(frobenius(omega) ** 2), { rtol: 1e-8 })
  })
})

describe('haarRotation', () => {
  it('is orthogonal', () => {
    for (const n of [1, 2, 5, 32]) {
      expect(orthogonalityError(haarRotation(n, createRng(n)))).toBeLessThan(1e-13)
    }
  })

  it('is deterministic in the seed and differs between seeds', () => {
    const a = haarRotation(10, createRng(123))
    const b = haarRotation(10, createRng(123))
    const c = haarRotation(10, createRng(124))
    expect(b.data).toEqual(a.data)
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0.1)
  })

  it('draws successive rotations from the stream, not the same one twice', () => {
    const rng = createRng(9)
    const a = haarRotation(4, rng)
    const b = haarRotation(4, rng)
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0.1)
  })
})

describe('reorthonormalize', () => {
  it('brings R + 1e-6 noise back to orthogonal within 1e-12, close to where it was', () => {
    const rng = createRng(6)
    for (const n of [3, 16, 40]) {
      const r = haarRotation(n, rng)
      const noisy = axpby(1, r, 1e-6, gaussian(n, n, rng))
      expect(orthogonalityError(noisy)).toBeGreaterThan(1e-7)
      const fixed = reorthonormalize(noisy)
      expect(orthogonalityError(fixed)).toBeLessThan(1e-12)
      expectAllClose(fixed.data, r.data, { atol: 1e-4 })
    }
  })

  it('returns an already orthogonal R unchanged', () => {
    const r = haarRotation(8, createRng(8))
    expect(reorthonormalize(r)).toBe(r)
  })

  it('removes a symmetric perturbation exactly to first order (polar factor)', () => {
    // R(I + εS) with S symmetric has polar factor R: the nearest orthogonal matrix.
    const rng = createRng(10)
    const r = haarRotation(6, rng)
    const s0 = gaussian(6, 6, rng)
    const s = add(s0, transpose(s0))
    const fixed = reorthonormalize(matmul(r, axpby(1, identity(6), 1e-5, s)))
    expectAllClose(fixed.data, r.data, { atol: 1e-9 })
  })
})

describe('qr', () => {
  it.each([
    [6, 6],
    [9, 4],
    [30, 30],
  ])('of a %d×%d Gaussian: Q orthonormal, R upper triangular with diag ≥ 0, QR = A', (m, n) => {
    const a = gaussian(m, n, createRng(m * 100 + n))
    const { q, r } = qr(a)
    expect([q.rows, q.cols, r.rows, r.cols]).toEqual([m, n, n, n])
    expect(orthogonalityError(q)).toBeLessThan(1e-14)
    for (let i = 0; i < n; i++) {
      expect(r.data[i * n + i]).toBeGreaterThanOrEqual(0)
      for (let j = 0; j < i; j++) expect(r.data[i * n + j]).toBe(0)
    }
    expectAllClose(matmul(q, r).data, a.data, { atol: 1e-13 })
  })

  it('keeps Q orthonormal for an ill-conditioned A (the re-orthogonalisation pass)', () => {
    const rng = createRng(12)
    const a = gaussian(8, 8, rng)
    // Make columns nearly dependent: column j ≈ column 0 + 1e-9·noise.
    for (let i = 0; i < 8; i++) {
      for (let j = 1; j < 8; j++) a.data[i * 8 + j] = a.data[i * 8] + 1e-9 * a.data[i * 8 + j]
    }
    const { q, r } = qr(a)
    expect(orthogonalityError(q)).toBeLessThan(1e-14)
    expectAllClose(matmul(q, r).data, a.data, { atol: 1e-14 })
  })

  it('flips signs so the diagonal of R is nonnegative', () => {
    const a = mat(2, 2, [-2, 1, 0, 3])
    const { q, r } = qr(a)
    expectAllClose(q.data, [-1, 0, 0, 1])
    expectAllClose(r.data, [2, -1, 0, 3])
  })
})

describe('solve', () => {
  it('solves a known 3×3 system', () => {
    // 2x + y + z = 5, x + 3y + 2z = 9, x = 1 → (1, 2, 1)
    const a = mat(3, 3, [2, 1, 1, 1, 3, 2, 1, 0, 0])
    const x = solve(a, mat(3, 1, [5, 9, 1]))
    expectAllClose(x.data, [1, 2, 1], { atol: 1e-15 })
  })

  it('pivots past a zero on the diagonal and handles several right-hand sides', () => {
    const a = mat(3, 3, [0, 2, 1, 1, 1, 0, 4, 0, 1])
    const xTrue = mat(3, 2, [1, -1, 2, 0.5, -3, 4])
    const x = solve(a, matmul(a, xTrue))
    expectAllClose(x.data, xTrue.data, { atol: 1e-14 })
  })

  it('matches a random well-conditioned system', () => {
    const rng = createRng(13)
    const a = axpby(1, gaussian(25, 25, rng), 10, identity(25))
    const xTrue = gaussian(25, 3, rng)
    expectAllClose(solve(a, matmul(a, xTrue)).data, xTrue.data, { atol: 1e-13 })
  })

  it('rejects a singular matrix and mismatched shapes', () => {
    expect(() => solve(mat(2, 2, [1, 2, 2, 4]), mat(2, 1, [1, 1]))).toThrow(/singular/)
    expect(() => solve(mat(2, 3), mat(2, 1))).toThrow()
    expect(() => solve(identity(2), mat(3, 1))).toThrow()
  })
})
