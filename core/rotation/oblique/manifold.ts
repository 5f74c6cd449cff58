import { svd } from '../../linalg/eigen.ts'
import { type Mat, frobenius, identity, matmul } from '../../linalg/matrix.ts'
import { solve } from '../../linalg/solve.ts'

/**
 * The oblique manifold OB(n) = {M ∈ R^{n×n} : every column of M has unit length}: the
 * parameter of an oblique (general invertible, column-normalised) change of basis
 * M = T⁻¹, a = M·ã, so column j of M is basis direction j in neuron coordinates
 * (DESIGN.md §1 with R replaced by T; see ./problem.ts for why M and not T).
 * OB(n) is a product of n unit spheres, one per column; these are its operations.
 */

/** Retraction: each column divided by its length. A zero column is left as is (and caught
 * by the condition guard, which sees a singular M). */
export function normalizeColumns(m: Mat): Mat {
  const { rows, cols } = m
  const out = new Float64Array(m.data)
  for (let j = 0; j < cols; j++) {
    let s = 0
    for (let i = 0; i < rows; i++) s += out[i * cols + j] ** 2
    if (s === 0) continue
    const inv = 1 / Math.sqrt(s)
    for (let i = 0; i < rows; i++) out[i * cols + j] *= inv
  }
  return { rows, cols, data: out }
}

/**
 * Orthogonal projection onto the tangent space at M: each column of G loses its component
 * along the same column of M, P_M(G) = G − M·diag(diag(MᵀG)) (M's columns are unit).
 */
export function obliqueProjection(m: Mat, g: Mat): Mat {
  const { rows, cols } = m
  const out = new Float64Array(g.data)
  for (let j = 0; j < cols; j++) {
    let c = 0
    for (let i = 0; i < rows; i++) c += m.data[i * cols + j] * g.data[i * cols + j]
    for (let i = 0; i < rows; i++) out[i * cols + j] -= c * m.data[i * cols + j]
  }
  return { rows, cols, data: out }
}

/** max_j |‖m_j‖ − 1|: how far M is from the manifold. */
export function columnNormError(m: Mat): number {
  let worst = 0
  for (let j = 0; j < m.cols; j++) {
    let s = 0
    for (let i = 0; i < m.rows; i++) s += m.data[i * m.cols + j] ** 2
    worst = Math.max(worst, Math.abs(Math.sqrt(s) - 1))
  }
  return worst
}

/** M⁻¹ by LU with partial pivoting; null when M is exactly singular (a zero pivot). */
export function tryInverse(m: Mat): Mat | null {
  try {
    return solve(m, identity(m.rows))
  } catch {
    return null
  }
}

/** M⁻¹; throws on an exactly singular M. */
export function inverse(m: Mat): Mat {
  const t = tryInverse(m)
  if (!t) throw new Error(`inverse: the ${m.rows}×${m.cols} matrix is singular`)
  return t
}

/** The 2-norm condition number σ_max/σ_min (Infinity when singular), by SVD. */
export function conditionNumber(m: Mat): number {
  const { s } = svd(m)
  const min = s[s.length - 1]
  return min > 0 ? s[0] / min : Infinity
}

/**
 * Whether κ₂(M) ≤ bound, cheaply: κ_F = ‖M‖_F·‖M⁻¹‖_F ≥ κ₂ needs only the inverse (an
 * LU, as every evaluation does anyway), and only when κ_F exceeds the bound (it can
 * overestimate κ₂ by up to a factor n) is the exact κ₂ computed by SVD.
 */
export function withinCondition(m: Mat, bound: number): boolean {
  const inv = tryInverse(m)
  if (!inv) return false
  const kf = frobenius(m) * frobenius(inv)
  if (!Number.isFinite(kf)) return false
  return kf <= bound || conditionNumber(m) <= bound
}

/** max |A·B − I|: e.g. how well a stored T and T⁻¹ invert each other. */
export function inverseError(a: Mat, b: Mat): number {
  const p = matmul(a, b)
  let e = 0
  for (let i = 0; i < p.rows; i++) {
    for (let j = 0; j < p.cols; j++) {
      e = Math.max(e, Math.abs(p.data[i * p.cols + j] - (i === j ? 1 : 0)))
    }
  }
  return e
}
