import { type Mat, add, identity, matmul, norm1, scale, transpose } from '../linalg/matrix.ts'

/**
 * Matrix exponential by scaling and squaring of a degree-18 Taylor series, matmuls only
 * (tfjs has no expm; this is the parametrization R = expm(A − Aᵀ) of the seed method).
 * The argument is scaled so ‖X/2^s‖₁ ≤ ½: the truncation error is then below
 * ½¹⁹/19! ≈ 2e-23 relative, far under float64 round-off.
 */
const DEGREE = 18
const THETA = 0.5

function scalingPower(x: Mat): number {
  const n = norm1(x)
  return n <= THETA ? 0 : Math.ceil(Math.log2(n / THETA))
}

export function expm(x: Mat): Mat {
  return expmFrechet(x, null).exp
}

/**
 * expm(X) and, when E is given, its Fréchet derivative L(X, E) = d/dt expm(X + tE)|₀,
 * carried through the same Horner series and squarings (each step is the product rule).
 */
export function expmFrechet(x: Mat, e: Mat | null): { exp: Mat; frechet: Mat | null } {
  const n = x.rows
  const s = scalingPower(x)
  const f = 2 ** -s
  const xs = scale(x, f)
  const es = e ? scale(e, f) : null
  // Horner: P = I + X/1 (I + X/2 (I + … (I + X/DEGREE)))
  let p = identity(n)
  let dp: Mat | null = es ? scale(identity(n), 0) : null
  for (let k = DEGREE; k >= 1; k--) {
    // P ← I + (X·P)/k ; dP ← (E·P + X·dP)/k
    const xp = matmul(xs, p)
    if (dp && es) dp = scale(add(matmul(es, p), matmul(xs, dp)), 1 / k)
    p = add(identity(n), scale(xp, 1 / k))
  }
  for (let i = 0; i < s; i++) {
    if (dp) dp = add(matmul(p, dp), matmul(dp, p))
    p = matmul(p, p)
  }
  return { exp: p, frechet: dp }
}

/**
 * Gradient through R = expm(X): given G = ∂f/∂R, returns ∂f/∂X = L(Xᵀ, G)
 * (the adjoint of the Fréchet derivative, since ⟨G, L(X,E)⟩ = ⟨L(Xᵀ,G), E⟩).
 */
export function expmGradient(x: Mat, g: Mat): Mat {
  return expmFrechet(transpose(x), g).frechet as Mat
}
