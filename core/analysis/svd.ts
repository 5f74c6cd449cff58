import { type Mat, mat } from '../linalg/matrix.ts'

/**
 * Thin singular value decomposition A = U·diag(s)·Vᵀ by one-sided (Hestenes) Jacobi, in
 * float64. Jacobi rotations orthogonalise the columns of A·V until every pair is
 * orthogonal to working precision; the column norms are then the singular values. It
 * is slower than Golub–Kahan but short, and computes small singular values to high
 * *relative* accuracy — what principal angles near zero need. Sizes here are ≤ 784.
 *
 * For an r×c matrix with p = min(r, c): u is r×p, s has p values (descending), v is c×p.
 */
export interface Svd {
  readonly u: Mat
  readonly s: Float64Array
  readonly v: Mat
}

const MAX_SWEEPS = 80

export function svd(a: Mat): Svd {
  if (a.rows >= a.cols) return tallSvd(a, true)
  // Aᵀ = V·S·Uᵀ: decompose the transpose and swap the factors.
  const t = tallSvd(transposeMat(a), true)
  return { u: t.v, s: t.s, v: t.u }
}

/** Singular values only (descending), skipping the work of accumulating V. */
export function singularValues(a: Mat): Float64Array {
  return (a.rows >= a.cols ? tallSvd(a, false) : tallSvd(transposeMat(a), false)).s
}

/** One-sided Jacobi on an m×n matrix with m ≥ n. */
function tallSvd(a: Mat, wantVectors: boolean): Svd {
  const m = a.rows
  const n = a.cols
  // Columns stored contiguously: col j is w[j*m … j*m+m).
  const w = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a.data[i * n + j]
  const v = wantVectors ? new Float64Array(n * n) : null
  if (v) for (let j = 0; j < n; j++) v[j * n + j] = 1
  const norms = new Float64Array(n)
  for (let j = 0; j < n; j++) norms[j] = sumSquares(w, j * m, m)
  const eps = 2.220446049250313e-16
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]
        const beta = norms[q]
        if (alpha === 0 || beta === 0) continue
        let gamma = 0
        const op = p * m
        const oq = q * m
        for (let i = 0; i < m; i++) gamma += w[op + i] * w[oq + i]
        if (Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue
        rotated = true
        const zeta = (beta - alpha) / (2 * gamma)
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const s = c * t
        for (let i = 0; i < m; i++) {
          const x = w[op + i]
          const y = w[oq + i]
          w[op + i] = c * x - s * y
          w[oq + i] = s * x + c * y
        }
        if (v) {
          const vp = p * n
          const vq = q * n
          for (let i = 0; i < n; i++) {
            const x = v[vp + i]
            const y = v[vq + i]
            v[vp + i] = c * x - s * y
            v[vq + i] = s * x + c * y
          }
        }
        // Recompute rather than update the norms: the updates α − tγ, β + tγ drift.
        norms[p] = sumSquares(w, op, m)
        norms[q] = sumSquares(w, oq, m)
      }
    }
    if (!rotated) break
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((i, j) => norms[j] - norms[i])
  const s = Float64Array.from(order, (j) => Math.sqrt(norms[j]))
  if (!v) return { u: mat(m, 0), s, v: mat(n, 0) }
  const u = mat(m, n)
  const vv = mat(n, n)
  order.forEach((j, col) => {
    const sigma = s[col]
    for (let i = 0; i < m; i++) u.data[i * n + col] = sigma > 0 ? w[j * m + i] / sigma : 0
    for (let i = 0; i < n; i++) vv.data[i * n + col] = v[j * n + i]
  })
  completeZeroColumns(u, s)
  return { u, s, v: vv }
}

/**
 * Columns of U for zero singular values are left zero by the division above; fill them
 * with unit vectors orthogonal to the rest so U always has orthonormal columns.
 */
function completeZeroColumns(u: Mat, s: Float64Array): void {
  const m = u.rows
  const n = u.cols
  let candidate = 0
  for (let col = 0; col < n; col++) {
    if (s[col] > 0) continue
    while (candidate < m) {
      const vec = new Float64Array(m)
      vec[candidate++] = 1
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < n; k++) {
          if (k === col) continue
          let d = 0
          for (let i = 0; i < m; i++) d += u.data[i * n + k] * vec[i]
          for (let i = 0; i < m; i++) vec[i] -= d * u.data[i * n + k]
        }
      }
      const norm = Math.sqrt(sumSquares(vec, 0, m))
      if (norm > 1e-8) {
        for (let i = 0; i < m; i++) u.data[i * n + col] = vec[i] / norm
        break
      }
    }
  }
}

function sumSquares(a: Float64Array, offset: number, length: number): number {
  let s = 0
  for (let i = offset; i < offset + length; i++) s += a[i] * a[i]
  return s
}

function transposeMat(a: Mat): Mat {
  const t = mat(a.cols, a.rows)
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]
  return t
}
