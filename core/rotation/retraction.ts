import {
  type Mat,
  axpby,
  identity,
  matmul,
  matmulNT,
  matmulTN,
  scale,
  skew,
  orthogonalityError,
} from '../linalg/matrix.ts'
import { qr } from '../linalg/qr.ts'
import { solve } from '../linalg/solve.ts'
import type { Rng } from '../random/prng.ts'

/**
 * Cayley retraction on O(n) with a right-trivialised step: for a skew Ω,
 * R⁺ = (I + ½Ω)⁻¹(I − ½Ω)·R, which is exactly orthogonal for any step size and
 * costs one solve. R⁺ ≈ (I − Ω)·R to first order, so Ω is a descent step in so(n).
 */
export function cayleyStep(r: Mat, omega: Mat): Mat {
  const n = r.rows
  const half = scale(omega, 0.5)
  const left = axpby(1, identity(n), 1, half)
  const right = axpby(1, identity(n), -1, half)
  return solve(left, matmul(right, r))
}

/** The Riemannian gradient of f at R in right-trivialised form: skew(∇f · Rᵀ) ∈ so(n). */
export function riemannianGradient(r: Mat, euclideanGrad: Mat): Mat {
  return skew(matmulNT(euclideanGrad, r))
}

/**
 * Pulls a nearly orthogonal R back onto O(n) with Newton–Schulz polar iterations
 * R ← R(3I − RᵀR)/2 (quadratic convergence while ‖RᵀR − I‖ < 1); float drift from
 * thousands of steps is ~1e-13, so one or two iterations suffice.
 */
export function reorthonormalize(r: Mat, tolerance = 1e-12, maxIterations = 6): Mat {
  let q = r
  for (let i = 0; i < maxIterations && orthogonalityError(q) > tolerance; i++) {
    const g = matmulTN(q, q)
    q = matmul(q, axpby(1.5, identity(q.rows), -0.5, g))
  }
  return q
}

/** A Haar-distributed random rotation: QR of a Gaussian matrix with diag(R) ≥ 0. */
export function haarRotation(n: number, rng: Rng): Mat {
  const g = identity(n)
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.normal()
  return qr(g).q
}
