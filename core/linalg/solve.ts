import { type Mat, mat } from './matrix.ts'

/**
 * Solves A·X = B by LU with partial pivoting (float64). Used by the Cayley retraction,
 * where A = I + ½Ω with Ω skew is always well conditioned (its eigenvalues are 1 + iθ).
 */
export function solve(a: Mat, b: Mat): Mat {
  const n = a.rows
  if (a.cols !== n || b.rows !== n)
    throw new Error(`solve: ${a.rows}×${a.cols} \\ ${b.rows}×${b.cols}`)
  const m = b.cols
  const lu = new Float64Array(a.data)
  const x = new Float64Array(b.data)
  for (let k = 0; k < n; k++) {
    let p = k
    let best = Math.abs(lu[k * n + k])
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k])
      if (v > best) {
        best = v
        p = i
      }
    }
    if (best === 0) throw new Error('solve: singular matrix')
    if (p !== k) {
      swapRows(lu, n, k, p)
      swapRows(x, m, k, p)
    }
    const pivot = lu[k * n + k]
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k] / pivot
      if (f === 0) continue
      lu[i * n + k] = f
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j]
      for (let j = 0; j < m; j++) x[i * m + j] -= f * x[k * m + j]
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    const pivot = lu[k * n + k]
    for (let j = 0; j < m; j++) {
      let s = x[k * m + j]
      for (let i = k + 1; i < n; i++) s -= lu[k * n + i] * x[i * m + j]
      x[k * m + j] = s / pivot
    }
  }
  return mat(n, m, x)
}

function swapRows(d: Float64Array, width: number, r1: number, r2: number): void {
  for (let j = 0; j < width; j++) {
    const t = d[r1 * width + j]
    d[r1 * width + j] = d[r2 * width + j]
    d[r2 * width + j] = t
  }
}
