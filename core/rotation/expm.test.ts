import { describe, expect, it } from 'vitest'
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
  norm1,
  orthogonalityError,
  scale,
  sub,
  zeros,
} from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'
import { gaussian, randomSkew } from '../../test/helpers/random.ts'
import { expm, expmFrechet, expmGradient } from './expm.ts'

function relativeError(actual: Mat, expected: Mat): number {
  return frobenius(sub(actual, expected)) / frobenius(expected)
}

/**
 * Reference exp(X), independent of expm.ts: scale so ‖X/2^s‖₁ ≤ 1, sum the Taylor series
 * term by term until the terms stop changing the sum, then square s times.
 */
function referenceExpm(x: Mat): Mat {
  const s = Math.max(0, Math.ceil(Math.log2(norm1(x))))
  const y = scale(x, 2 ** -s)
  let sum = identity(x.rows)
  let term = identity(x.rows)
  for (let k = 1; k < 100; k++) {
    term = scale(matmul(term, y), 1 / k)
    sum = add(sum, term)
    if (frobenius(term) <= 1e-20 * frobenius(sum)) break
  }
  for (let i = 0; i < s; i++) sum = matmul(sum, sum)
  return sum
}

describe('expm', () => {
  it('of 0 is I', () => {
    for (const n of [1, 3, 10]) expect(expm(zeros(n, n)).data).toEqual(identity(n).data)
  })

  it.each([0.1, 0.5, 1, Math.PI / 2, 3, 7.5, 20])(
    'of the 2×2 skew [[0, −θ], [θ, 0]] is the rotation by θ = %d',
    (theta) => {
      const r = expm(mat(2, 2, [0, -theta, theta, 0]))
      const c = Math.cos(theta)
      const s = Math.sin(theta)
      expectAllClose(r.data, [c, -s, s, c], { atol: 1e-12 })
    },
  )

  it('of a diagonal matrix is the exponential of the diagonal', () => {
    const d = [-3, -0.5, 0, 0.25, 2, 6]
    const x = zeros(6, 6)
    d.forEach((v, i) => (x.data[i * 6 + i] = v))
    const r = expm(x)
    d.forEach((v, i) => expectClose(r.data[i * 6 + i], Math.exp(v), { rtol: 1e-13 }))
    expect(r.data.filter((v, k) => k % 7 !== 0 && v !== 0)).toHaveLength(0)
  })

  it.each([0.05, 0.3, 1, 3])(
    'of a random 8×8 matrix (σ = %d) matches a plain Taylor reference to 1e-12',
    (sigma) => {
      const x = gaussian(8, 8, createRng(42), sigma)
      expect(relativeError(expm(x), referenceExpm(x))).toBeLessThan(1e-12)
    },
  )

  it('of a random 50×50 skew matrix is orthogonal to 1e-12', () => {
    const x = randomSkew(50, createRng(7))
    expect(norm1(x)).toBeGreaterThan(20) // several squarings
    expect(orthogonalityError(expm(x))).toBeLessThan(1e-12)
  })

  it('satisfies expm(A)·expm(−A) = I', () => {
    const rng = createRng(3)
    for (const sigma of [0.1, 0.5, 1]) {
      const a = gaussian(8, 8, rng, sigma)
      const product = matmul(expm(a), expm(scale(a, -1)))
      expect(frobenius(sub(product, identity(8)))).toBeLessThan(1e-12)
    }
  })

  it('of commuting A, B satisfies expm(A + B) = expm(A)·expm(B)', () => {
    const a = gaussian(6, 6, createRng(5), 0.4)
    const b = add(scale(a, 2.5), scale(identity(6), 0.7))
    expect(relativeError(matmul(expm(a), expm(b)), expm(add(a, b)))).toBeLessThan(1e-12)
  })
})

describe('expmFrechet', () => {
  it('returns the same exponential as expm and no derivative without a direction', () => {
    const x = gaussian(5, 5, createRng(1))
    const r = expmFrechet(x, null)
    expect(r.frechet).toBeNull()
    expect(r.exp.data).toEqual(expm(x).data)
    expect(expmFrechet(x, gaussian(5, 5, createRng(2))).exp.data).toEqual(expm(x).data)
  })

  it.each([
    ['a small general matrix (no squaring)', 0.05, false],
    ['a general matrix', 0.6, false],
    ['a skew matrix', 1, true],
    ['a large skew matrix (many squarings)', 4, true],
  ] as const)('matches central finite differences for %s', (_, sigma, isSkew) => {
    const rng = createRng(11)
    const n = 7
    const x = isSkew ? randomSkew(n, rng, sigma) : gaussian(n, n, rng, sigma)
    const e = gaussian(n, n, rng)
    const h = 1e-6
    const fd = scale(sub(expm(axpby(1, x, h, e)), expm(axpby(1, x, -h, e))), 1 / (2 * h))
    const l = expmFrechet(x, e).frechet!
    expect(relativeError(l, fd)).toBeLessThan(1e-7)
  })

  it('is L(X, X) = X·expm(X) along X itself', () => {
    const x = gaussian(6, 6, createRng(4), 0.8)
    const l = expmFrechet(x, x).frechet!
    expect(relativeError(l, matmul(x, expm(x)))).toBeLessThan(1e-12)
  })

  it('is linear in the direction', () => {
    const rng = createRng(8)
    const x = gaussian(6, 6, rng, 1.5)
    const e1 = gaussian(6, 6, rng)
    const e2 = gaussian(6, 6, rng)
    const combined = expmFrechet(x, axpby(2, e1, -3, e2)).frechet!
    const separate = axpby(2, expmFrechet(x, e1).frechet!, -3, expmFrechet(x, e2).frechet!)
    expect(relativeError(combined, separate)).toBeLessThan(1e-12)
  })
})

describe('expmGradient', () => {
  it.each([0.1, 1, 3])(
    'is the adjoint: ⟨G, L(X, E)⟩ = ⟨expmGradient(X, G), E⟩ (σ = %d)',
    (sigma) => {
      const rng = createRng(21)
      const n = 9
      const x = gaussian(n, n, rng, sigma)
      for (let trial = 0; trial < 3; trial++) {
        const g = gaussian(n, n, rng)
        const e = gaussian(n, n, rng)
        const lhs = dot(g, expmFrechet(x, e).frechet!)
        const rhs = dot(expmGradient(x, g), e)
        expect(Math.abs(lhs - rhs)).toBeLessThan(
          1e-12 * frobenius(g) * frobenius(expmFrechet(x, e).frechet!),
        )
      }
    },
  )

  it('is the gradient of f(X) = ⟨G, expm(X)⟩ by finite differences', () => {
    const rng = createRng(22)
    const x = randomSkew(5, rng, 0.7)
    const g = gaussian(5, 5, rng)
    const grad = expmGradient(x, g)
    const h = 1e-6
    for (const k of [0, 7, 13, 24]) {
      const plus = x.data.slice()
      const minus = x.data.slice()
      plus[k] += h
      minus[k] -= h
      const fd = (dot(g, expm(mat(5, 5, plus))) - dot(g, expm(mat(5, 5, minus)))) / (2 * h)
      expect(Math.abs(grad.data[k] - fd)).toBeLessThan(1e-7 * frobenius(grad))
    }
  })
})
