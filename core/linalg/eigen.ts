import { type Mat, mat, transpose } from './matrix.ts'

/**
 * Dense float64 eigen- and singular-value decompositions by Jacobi rotations: slower than
 * QR-based LAPACK routines (O(n³) per sweep, ~6–10 sweeps) but short, branch-free of
 * shifts and deflation, and accurate to round-off (relative accuracy for small
 * eigenvalues, orthogonality of the vectors to ~n·ε). Sized for the rotation side of
 * the method: n up to a few hundred.
 */

export interface SymmetricEigen {
  /** Eigenvalues, sorted descending. */
  readonly values: Float64Array
  /**
   * Eigenvectors as ROWS: row i (vectors.data[i·n .. i·n + n)) is the unit eigenvector of
   * values[i]. So `vectors` is an orthogonal matrix V with V·A·Vᵀ = diag(values): used
   * as a rotation, it maps a to coordinates in the eigenbasis (ã = V·a).
   */
  readonly vectors: Mat
  /** Jacobi sweeps taken. */
  readonly sweeps: number
}

const MAX_SWEEPS = 100

/**
 * Symmetric eigendecomposition by the cyclic Jacobi method. Only the symmetric part of
 * `a` is used ((A + Aᵀ)/2). Each sweep zeroes every off-diagonal pair (p, q) in turn
 * with a plane rotation; convergence is quadratic once the off-diagonal mass is small,
 * and iteration stops when it is below ε² of ‖A‖_F² (or exactly zero).
 */
export function symmetricEigen(a: Mat): SymmetricEigen {
  const n = a.rows
  if (a.cols !== n) throw new Error(`symmetricEigen: ${a.rows}×${a.cols} is not square`)
  const s = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i])
  }
  // V stored by rows: the rows rotate together with the rows of S, so V·A·Vᵀ = S.
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  let total = 0
  for (const x of s) total += x * x
  const target = total * 1e-32
  let sweeps = 0
  for (; sweeps < MAX_SWEEPS; sweeps++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * s[p * n + q] ** 2
    if (off <= target || off === 0) break
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = s[p * n + q]
        if (apq === 0) continue
        const app = s[p * n + p]
        const aqq = s[q * n + q]
        // Skip pairs already negligible against their diagonal (classic threshold rule).
        if (Math.abs(apq) < 1e-18 * (Math.abs(app) + Math.abs(aqq)) && sweeps > 3) {
          s[p * n + q] = 0
          s[q * n + p] = 0
          continue
        }
        const theta = (aqq - app) / (2 * apq)
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const sn = t * c
        // S ← Jᵀ·S·J on rows/columns p and q: rows first (contiguous), then mirror.
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue
          const arp = s[p * n + r]
          const arq = s[q * n + r]
          const np = c * arp - sn * arq
          const nq = sn * arp + c * arq
          s[p * n + r] = np
          s[r * n + p] = np
          s[q * n + r] = nq
          s[r * n + q] = nq
        }
        s[p * n + p] = app - t * apq
        s[q * n + q] = aqq + t * apq
        s[p * n + q] = 0
        s[q * n + p] = 0
        rotateRows(v, n, p, q, c, sn)
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => s[j * n + j] - s[i * n + i] || i - j,
  )
  const values = Float64Array.from(order, (i) => s[i * n + i])
  const vectors = mat(n, n)
  order.forEach((src, dst) => vectors.data.set(v.subarray(src * n, src * n + n), dst * n))
  return { values, vectors, sweeps }
}

/** rows p, q ← (c·r_p − s·r_q, s·r_p + c·r_q) of an n-column row-major array. */
function rotateRows(x: Float64Array, cols: number, p: number, q: number, c: number, s: number) {
  const bp = p * cols
  const bq = q * cols
  for (let k = 0; k < cols; k++) {
    const xp = x[bp + k]
    const xq = x[bq + k]
    x[bp + k] = c * xp - s * xq
    x[bq + k] = s * xp + c * xq
  }
}

export interface Svd {
  /** Left singular vectors as columns, [m × k] with k = min(m, n). */
  readonly u: Mat
  /** Singular values, descending, length k. */
  readonly s: Float64Array
  /** Right singular vectors as columns, [n × k]: A = U·diag(s)·Vᵀ. */
  readonly v: Mat
}

/**
 * Thin SVD by one-sided (Hestenes) Jacobi: plane rotations from the left orthogonalise
 * the rows of A (W = Uᵀ·A, rows contiguous in memory), then σ_i = ‖w_i‖ and the rows of
 * Vᵀ are w_i/σ_i. Works on A or Aᵀ, whichever has fewer rows. Accurate to round-off,
 * including the small singular values (unlike an eigendecomposition of AᵀA, which
 * squares the condition number). Singular vectors of zero singular values are completed
 * to an orthonormal set.
 */
export function svd(a: Mat): Svd {
  if (a.rows > a.cols) {
    const t = svd(transpose(a))
    return { u: t.v, s: t.s, v: t.u }
  }
  const m = a.rows
  const n = a.cols
  const w = new Float64Array(a.data)
  const ut = new Float64Array(m * m)
  for (let i = 0; i < m; i++) ut[i * m + i] = 1
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        let alpha = 0
        let beta = 0
        let gamma = 0
        const bp = p * n
        const bq = q * n
        for (let k = 0; k < n; k++) {
          const xp = w[bp + k]
          const xq = w[bq + k]
          alpha += xp * xp
          beta += xq * xq
          gamma += xp * xq
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue
        rotated = true
        const zeta = (beta - alpha) / (2 * gamma)
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const s = c * t
        rotateRows(w, n, p, q, c, s)
        rotateRows(ut, m, p, q, c, s)
      }
    }
    if (!rotated) break
  }
  const norms = Array.from({ length: m }, (_, i) => {
    let x = 0
    for (let k = 0; k < n; k++) x += w[i * n + k] ** 2
    return Math.sqrt(x)
  })
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => norms[j] - norms[i] || i - j)
  const s = Float64Array.from(order, (i) => norms[i])
  const tiny = (s[0] ?? 0) * 1e-300 + Number.MIN_VALUE
  // Vᵀ rows (k = m of them, each of length n), completed where σ = 0.
  const vt = new Float64Array(m * n)
  const u = mat(m, m)
  order.forEach((src, dst) => {
    const sigma = norms[src]
    if (sigma > tiny) for (let k = 0; k < n; k++) vt[dst * n + k] = w[src * n + k] / sigma
    // U = Utᵀ: column dst of U is row src of Ut.
    for (let i = 0; i < m; i++) u.data[i * m + dst] = ut[src * m + i]
  })
  completeRows(vt, m, n, (i) => s[i] > tiny)
  const v = mat(n, m)
  for (let i = 0; i < m; i++) for (let k = 0; k < n; k++) v.data[k * m + i] = vt[i * n + k]
  return { u, s, v }
}

/**
 * Fills the rows not marked `ok` with unit vectors orthogonal to all other rows
 * (Gram–Schmidt, twice, on standard basis vectors).
 */
function completeRows(x: Float64Array, rows: number, cols: number, ok: (i: number) => boolean) {
  const done: number[] = []
  for (let i = 0; i < rows; i++) if (ok(i)) done.push(i)
  let candidate = 0
  for (let i = 0; i < rows; i++) {
    if (ok(i)) continue
    for (; candidate < cols; candidate++) {
      const e = new Float64Array(cols)
      e[candidate] = 1
      for (let pass = 0; pass < 2; pass++) {
        for (const j of done) {
          let d = 0
          for (let k = 0; k < cols; k++) d += e[k] * x[j * cols + k]
          for (let k = 0; k < cols; k++) e[k] -= d * x[j * cols + k]
        }
      }
      let nrm = 0
      for (const val of e) nrm += val * val
      nrm = Math.sqrt(nrm)
      if (nrm > 1e-8) {
        for (let k = 0; k < cols; k++) x[i * cols + k] = e[k] / nrm
        done.push(i)
        candidate++
        break
      }
    }
  }
}

/**
 * The orthogonal polar factor of a square A: the orthogonal Q nearest to A in Frobenius
 * norm, Q = U·Vᵀ from the SVD (and the maximiser of tr(QᵀA) over O(n)). For singular A
 * it is one of the maximisers.
 */
export function polar(a: Mat): Mat {
  if (a.rows !== a.cols) throw new Error(`polar: ${a.rows}×${a.cols} is not square`)
  const { u, v } = svd(a)
  const n = a.rows
  const q = mat(n, n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0
      for (let k = 0; k < n; k++) x += u.data[i * n + k] * v.data[j * n + k]
      q.data[i * n + j] = x
    }
  }
  return q
}
