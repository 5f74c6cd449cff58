import { type Mat, mat } from './matrix.ts'

/**
 * Thin QR by modified Gram–Schmidt with one re-orthogonalisation pass ("twice is
 * enough"), with the sign convention diag(R) ≥ 0 so Q is unique. That convention is
 * what makes QR of a Gaussian matrix Haar-distributed.
 */
export function qr(a: Mat): { q: Mat; r: Mat } {
  const m = a.rows
  const n = a.cols
  const q = new Float64Array(a.data)
  const r = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let s = 0
        for (let i = 0; i < m; i++) s += q[i * n + k] * q[i * n + j]
        r[k * n + j] += s
        for (let i = 0; i < m; i++) q[i * n + j] -= s * q[i * n + k]
      }
    }
    let norm = 0
    for (let i = 0; i < m; i++) norm += q[i * n + j] * q[i * n + j]
    norm = Math.sqrt(norm)
    r[j * n + j] = norm
    if (norm > 0) for (let i = 0; i < m; i++) q[i * n + j] /= norm
  }
  return { q: mat(m, n, q), r: mat(n, n, r) }
}
