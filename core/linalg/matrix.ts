import { nativeProduct } from './native-product.ts'

/**
 * Small dense float64 matrices for the rotation side of the method (d ≤ a few hundred):
 * retractions, expm, orthogonality checks. They stay in float64 so rotations stay
 * orthogonal to far better than 1e-4; products large enough to pay for the call run as
 * native float64 GEMMs (native-product.ts).
 * Row-major: entry (i, j) is data[i * cols + j].
 */
export interface Mat {
  readonly rows: number
  readonly cols: number
  readonly data: Float64Array
}

export function mat(rows: number, cols: number, data?: ArrayLike<number>): Mat {
  const d = new Float64Array(rows * cols)
  if (data) {
    if (data.length !== rows * cols) {
      throw new Error(`mat: expected ${rows * cols} values for ${rows}×${cols}, got ${data.length}`)
    }
    d.set(data)
  }
  return { rows, cols, data: d }
}

export function zeros(rows: number, cols: number): Mat {
  return mat(rows, cols)
}

export function identity(n: number): Mat {
  const m = mat(n, n)
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1
  return m
}

export function clone(a: Mat): Mat {
  return { rows: a.rows, cols: a.cols, data: new Float64Array(a.data) }
}

export function get(a: Mat, i: number, j: number): number {
  return a.data[i * a.cols + j]
}

export function transpose(a: Mat): Mat {
  const t = mat(a.cols, a.rows)
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]
  }
  return t
}

/** The native float64 product of op(A)·op(B) as a Mat, when the backend has one worth calling. */
function native(a: Mat, b: Mat, transA: boolean, transB: boolean): Mat | null {
  const c = nativeProduct(a.data, [a.rows, a.cols], b.data, [b.rows, b.cols], transA, transB)
  return c && { rows: transA ? a.cols : a.rows, cols: transB ? b.rows : b.cols, data: c }
}

/** C = A·B, i-k-j loop order so the inner loop streams rows of B and C. */
export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`)
  const fast = native(a, b, false, false)
  if (fast) return fast
  const n = a.rows
  const m = b.cols
  const k = a.cols
  const c = new Float64Array(n * m)
  const A = a.data
  const B = b.data
  for (let i = 0; i < n; i++) {
    const ci = i * m
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p]
      if (aip === 0) continue
      const bp = p * m
      for (let j = 0; j < m; j++) c[ci + j] += aip * B[bp + j]
    }
  }
  return { rows: n, cols: m, data: c }
}

/** Aᵀ·B without forming Aᵀ. */
export function matmulTN(a: Mat, b: Mat): Mat {
  if (a.rows !== b.rows) throw new Error(`matmulTN: (${a.rows}×${a.cols})ᵀ · ${b.rows}×${b.cols}`)
  const fast = native(a, b, true, false)
  if (fast) return fast
  const n = a.cols
  const m = b.cols
  const c = new Float64Array(n * m)
  for (let p = 0; p < a.rows; p++) {
    const ap = p * a.cols
    const bp = p * m
    for (let i = 0; i < n; i++) {
      const api = a.data[ap + i]
      if (api === 0) continue
      const ci = i * m
      for (let j = 0; j < m; j++) c[ci + j] += api * b.data[bp + j]
    }
  }
  return { rows: n, cols: m, data: c }
}

/** A·Bᵀ without forming Bᵀ. */
export function matmulNT(a: Mat, b: Mat): Mat {
  if (a.cols !== b.cols) throw new Error(`matmulNT: ${a.rows}×${a.cols} · (${b.rows}×${b.cols})ᵀ`)
  const fast = native(a, b, false, true)
  if (fast) return fast
  const n = a.rows
  const m = b.rows
  const k = a.cols
  const c = new Float64Array(n * m)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0
      const ai = i * k
      const bj = j * k
      for (let p = 0; p < k; p++) s += a.data[ai + p] * b.data[bj + p]
      c[i * m + j] = s
    }
  }
  return { rows: n, cols: m, data: c }
}

export function add(a: Mat, b: Mat): Mat {
  return axpby(1, a, 1, b)
}

export function sub(a: Mat, b: Mat): Mat {
  return axpby(1, a, -1, b)
}

export function scale(a: Mat, s: number): Mat {
  const c = clone(a)
  for (let i = 0; i < c.data.length; i++) c.data[i] *= s
  return c
}

/** α·A + β·B */
export function axpby(alpha: number, a: Mat, beta: number, b: Mat): Mat {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`shape mismatch ${a.rows}×${a.cols} vs ${b.rows}×${b.cols}`)
  }
  const c = mat(a.rows, a.cols)
  for (let i = 0; i < c.data.length; i++) c.data[i] = alpha * a.data[i] + beta * b.data[i]
  return c
}

/** (A − Aᵀ)/2 */
export function skew(a: Mat): Mat {
  const n = a.rows
  const s = mat(n, n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) s.data[i * n + j] = 0.5 * (a.data[i * n + j] - a.data[j * n + i])
  }
  return s
}

export function frobenius(a: Mat): number {
  let s = 0
  for (const v of a.data) s += v * v
  return Math.sqrt(s)
}

export function dot(a: Mat, b: Mat): number {
  let s = 0
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i]
  return s
}

export function maxAbs(a: Mat): number {
  let m = 0
  for (const v of a.data) m = Math.max(m, Math.abs(v))
  return m
}

/** 1-norm (max column sum), used to pick the scaling in expm. */
export function norm1(a: Mat): number {
  let best = 0
  for (let j = 0; j < a.cols; j++) {
    let s = 0
    for (let i = 0; i < a.rows; i++) s += Math.abs(a.data[i * a.cols + j])
    best = Math.max(best, s)
  }
  return best
}

/** max |RᵀR − I|: how far R is from orthogonal. */
export function orthogonalityError(r: Mat): number {
  const g = matmulTN(r, r)
  let e = 0
  for (let i = 0; i < g.rows; i++) {
    for (let j = 0; j < g.cols; j++)
      e = Math.max(e, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)))
  }
  return e
}

export function toFloat32(a: Mat): Float32Array {
  return Float32Array.from(a.data)
}
