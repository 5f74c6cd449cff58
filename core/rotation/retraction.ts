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
import { isNative } from '../backend/compute.ts'
import { qr } from '../linalg/qr.ts'
import { solve } from '../linalg/solve.ts'
import type { Rng } from '../random/prng.ts'

/**
 * Cayley retraction on O(n) with a right-trivialised step: for a skew Ω,
 * R⁺ = (I + ½Ω)⁻¹(I − ½Ω)·R, which is exactly orthogonal for any step size.
 * R⁺ ≈ (I − Ω)·R to first order, so Ω is a descent step in so(n).
 */
export function cayleyStep(r: Mat, omega: Mat): Mat {
  const n = r.rows
  const half = scale(omega, 0.5)
  if (isNative() && n >= NATIVE_CAYLEY_MIN) {
    const fast = cayleyByProducts(r, half)
    if (fast && orthogonalityError(fast) < 1e-12) return fast
  }
  const left = axpby(1, identity(n), 1, half)
  const right = axpby(1, identity(n), -1, half)
  return solve(left, matmul(right, r))
}

/** From this size on, native matmuls beat one JS LU solve (at 128: 1.5 ms against 7). */
const NATIVE_CAYLEY_MIN = 48

/**
 * The same retraction by matrix products only. With H = ½Ω skew, every factor is a
 * polynomial in H, so (I + H)⁻¹(I − H) = S⁻¹·(I − H)² with S = I − H², and S is
 * symmetric positive definite with eigenvalues in [1, 1 + ‖H‖₂²]. Newton–Schulz
 * X ← X·(2I − S·X) from X₀ = 2/(2 + b)·I, b = ‖H‖_F² ≥ ‖H‖₂², converges for every step
 * size: the residual starts below b/(2 + b) and squares each iteration. null when the step
 * is so large that the iterations would not be worth it (the caller solves instead).
 */
function cayleyByProducts(r: Mat, h: Mat): Mat | null {
  const n = r.rows
  let b = 0
  for (const v of h.data) b += v * v
  const q = b / (2 + b)
  // Iterations until q^(2^k) < 1e-17 (float64 round-off).
  const k = q === 0 ? 0 : Math.ceil(Math.log2(Math.log(1e-17) / Math.log(q)))
  if (k > 8) return null
  const h2 = matmul(h, h)
  const s = axpby(1, identity(n), -1, h2)
  let x = scale(identity(n), 2 / (2 + b))
  const twoI = scale(identity(n), 2)
  for (let i = 0; i < k; i++) x = matmul(x, axpby(1, twoI, -1, matmul(s, x)))
  // (I − H)² = I − 2H + H²
  const square = axpby(1, axpby(1, identity(n), -2, h), 1, h2)
  return matmul(x, matmul(square, r))
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
