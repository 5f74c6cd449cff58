import { type LayerData, subsetLayerData } from '../../jacobian/layer-data.ts'
import { RotatedLayer, forEachChunk } from '../../jacobian/rotated.ts'
import { polar } from '../../linalg/eigen.ts'
import {
  type Mat,
  frobenius,
  identity,
  mat,
  matmul,
  matmulNT,
  sub,
  transpose,
} from '../../linalg/matrix.ts'
import type { LayerSide } from './jtj-eigenbasis.ts'

export interface L4Options {
  /**
   * Orthomax weight γ: 0 (default) is the ℓ4 / quartimax criterion Σ Y⁴; 1 is Kaiser's
   * varimax, which subtracts (1/p)·Σ_i (Σ_j Y_ij²)² so every row is pushed to be sparse,
   * not only the matrix as a whole.
   */
  readonly gamma?: number
  readonly maxIterations?: number
  /** Stop when ‖R_{t+1} − R_t‖_F falls below this. */
  readonly tolerance?: number
  /** Starting rotation (default the identity). */
  readonly start?: Mat
}

export interface L4Result {
  readonly rotation: Mat
  readonly iterations: number
  /** The criterion Σ_ij Y_ij⁴ − (γ/p)·Σ_i (Σ_j Y_ij²)² at Y = R·M/‖M‖_F. */
  readonly objective: number
  readonly converged: boolean
}

/**
 * ℓ4 maximisation over O(n) (Zhai, Yang, Liao, Wright & Ma, "Complete dictionary learning
 * via ℓ4-norm maximization over the orthogonal group", JMLR 2020): maximise
 * Σ_ij (R·M)_ij⁴ (or the orthomax generalisation, see `gamma`) by the matching–stretching–
 * projection fixed point R ← polar(∇_Y·Mᵀ), ∇_Y = Y^{∘3} − (γ/p)·diag(Σ_j Y_ij²)·Y at
 * Y = R·M — the classic SVD iteration of varimax. Each step maximises the linearisation
 * ⟨∇, R·M⟩ over O(n), so the (convex) criterion increases monotonically. The polar factor
 * comes from a one-sided Jacobi SVD. Rows of M are the coordinates R rotates; p = M.cols.
 * The ℓ4 norm of a unit vector is largest at ±e_i, so the maximiser makes R·M sparse.
 */
export function l4Rotation(m: Mat, options: L4Options = {}): L4Result {
  const gamma = options.gamma ?? 0
  const maxIterations = options.maxIterations ?? 1000
  const tolerance = options.tolerance ?? 1e-12
  const n = m.rows
  const p = m.cols
  const norm = frobenius(m)
  const mm =
    norm > 0
      ? mat(
          n,
          p,
          m.data.map((v) => v / norm),
        )
      : m
  let r = options.start ?? identity(n)
  let iterations = 0
  let converged = false
  for (; iterations < maxIterations;) {
    const g = criterionGradient(matmul(r, mm), gamma)
    const next = polar(matmulNT(g, mm))
    iterations++
    const change = frobenius(sub(next, r))
    r = next
    if (change < tolerance) {
      converged = true
      break
    }
  }
  return { rotation: r, iterations, objective: criterion(matmul(r, mm), gamma), converged }
}

function criterionGradient(y: Mat, gamma: number): Mat {
  const { rows, cols } = y
  const g = mat(rows, cols)
  for (let i = 0; i < rows; i++) {
    let sq = 0
    for (let j = 0; j < cols; j++) sq += y.data[i * cols + j] ** 2
    const shrink = (gamma / cols) * sq
    for (let j = 0; j < cols; j++) {
      const v = y.data[i * cols + j]
      g.data[i * cols + j] = v * v * v - shrink * v
    }
  }
  return g
}

function criterion(y: Mat, gamma: number): number {
  let total = 0
  for (let i = 0; i < y.rows; i++) {
    let q = 0
    let sq = 0
    for (let j = 0; j < y.cols; j++) {
      const v = y.data[i * y.cols + j]
      q += v ** 4
      sq += v * v
    }
    total += q - (gamma / y.cols) * sq * sq
  }
  return total
}

/** Which matrix of a layer's Jacobians the ℓ4 rotation is fitted to (see `varimaxRotation`). */
export type VarimaxSource = 'mean' | 'stacked' | 'mean-abs'

export interface VarimaxOptions extends L4Options {
  /** Default 'mean'. */
  readonly source?: VarimaxSource
  /** 'stacked': inputs used (evenly spaced over the data); default 64. */
  readonly maxSamples?: number
}

/**
 * The ℓ4 (γ = 0) or varimax (γ = 1) rotation for one side of a layer: rows of the result
 * are the new basis directions. The matrix it is fitted to, rows = this side's
 * coordinates (`other` = the rotation on the other side, null = neuron basis):
 *   'mean'      the mean Jacobian E[J] (side 'in': E[J]ᵀ). Rotation-consistent
 *               (R·E[J] = E[R·J]), cheap (E[J] = diag(E[d])·W·R_inᵀ): sparsifies the
 *               average Jacobian.
 *   'stacked'   [J(x₁) … J(x_s)] side by side (side 'in': the J(x)ᵀ) on `maxSamples`
 *               inputs: exactly Σ_x ‖R·J(x)‖₄⁴, the quartimax objective on a subsample.
 *   'mean-abs'  mean |J|. NOT rotation-consistent (R·E|J| ≠ E|R·J|): the ℓ4 rotation of a
 *               nonnegative matrix is fitted to magnitudes whose signs were discarded, so
 *               it does not recover planted bases (see the tests); kept for comparison.
 */
export function varimaxRotation(
  data: LayerData,
  side: LayerSide,
  other: Mat | null,
  options: VarimaxOptions = {},
): L4Result {
  return l4Rotation(varimaxMatrix(data, side, other, options), options)
}

/** The matrix `varimaxRotation` fits, for `options.source`. */
export function varimaxMatrix(
  data: LayerData,
  side: LayerSide,
  other: Mat | null,
  options: VarimaxOptions = {},
): Mat {
  switch (options.source ?? 'mean') {
    case 'mean':
      return meanJacobian(data, side, other)
    case 'stacked':
      return stackedJacobians(data, side, other, options.maxSamples ?? 64)
    case 'mean-abs':
      return meanAbsJacobian(data, side, other)
  }
}

/** Per-unit mean of f(d) over the inputs (1 for the logit layer, D = I). */
function meanOverInputs(data: LayerData, f: (d: number) => number): Float64Array {
  const m = data.outDim
  const out = new Float64Array(m)
  if (!data.derivatives) return out.fill(1)
  forEachChunk(data, (d, c) => {
    for (let x = 0; x < c; x++) for (let i = 0; i < m; i++) out[i] += f(d![x * m + i])
  })
  for (let i = 0; i < m; i++) out[i] /= data.n
  return out
}

/** W·R_inᵀ for side 'out' (or W when `other` is null), as float64. */
function weightTimes(data: LayerData, side: LayerSide, other: Mat | null): Mat {
  const w = mat(data.outDim, data.inDim, data.weight)
  return side === 'out' && other ? matmulNT(w, other) : w
}

/** E[J] oriented with rows = this side's coordinates: diag(E d)·W·R_inᵀ, or (R_out·diag(E d)·W)ᵀ. */
export function meanJacobian(data: LayerData, side: LayerSide, other: Mat | null): Mat {
  const { outDim: m, inDim: k } = data
  const ed = meanOverInputs(data, (v) => v)
  const w = weightTimes(data, side, other)
  const j = mat(m, k)
  for (let i = 0; i < m; i++)
    for (let c = 0; c < k; c++) j.data[i * k + c] = ed[i] * w.data[i * k + c]
  if (side === 'out') return j
  return transpose(other ? matmul(other, j) : j)
}

/**
 * J(x) of `samples` evenly spaced inputs side by side, rows = this side's coordinates:
 * side 'out' [d_out × s·d_in] = [J(x₁) … J(x_s)], side 'in' [d_in × s·d_out] =
 * [J(x₁)ᵀ … J(x_s)ᵀ], with the other side's rotation applied.
 */
export function stackedJacobians(
  data: LayerData,
  side: LayerSide,
  other: Mat | null,
  samples: number,
): Mat {
  const { outDim: m, inDim: k } = data
  const total = data.derivatives ? data.n : 1
  const s = Math.max(1, Math.min(samples, total))
  const picked = Array.from({ length: s }, (_, i) => Math.floor((i * total) / s))
  const sub = data.derivatives ? subsetLayerData(data, picked) : data
  const layer = new RotatedLayer(sub, side === 'out' ? other : null, side === 'in' ? other : null)
  const rows = side === 'out' ? m : k
  const width = s * (side === 'out' ? k : m)
  const out = mat(rows, width)
  try {
    forEachChunk(sub, (d, c, start) => {
      const j = layer.jacobians(d, c)
      for (let x = 0; x < c; x++) {
        const base = x * m * k
        const col0 = (start + x) * (side === 'out' ? k : m)
        for (let i = 0; i < m; i++) {
          for (let c2 = 0; c2 < k; c2++) {
            const v = j[base + i * k + c2]
            if (side === 'out') out.data[i * width + col0 + c2] = v
            else out.data[c2 * width + col0 + i] = v
          }
        }
      }
    })
  } finally {
    layer.dispose()
  }
  return out
}

/**
 * mean_x |J(x)|, rows = this side's coordinates: side 'out' diag(E|d|)·|W·R_inᵀ|
 * [d_out × d_in]; side 'in' (E|R_out·D·W|)ᵀ [d_in × d_out], from the Jacobians
 * (`RotatedLayer`, chunked) unless R_out is the identity.
 */
export function meanAbsJacobian(data: LayerData, side: LayerSide, other: Mat | null): Mat {
  const { outDim: m, inDim: k } = data
  if (side === 'out' || !other) {
    // |D·M| = |D|·|M| row by row.
    const ead = meanOverInputs(data, Math.abs)
    const w = weightTimes(data, side, other)
    const out = mat(m, k)
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < k; c++) out.data[i * k + c] = ead[i] * Math.abs(w.data[i * k + c])
    }
    return side === 'out' ? out : transpose(out)
  }
  const acc = new Float64Array(m * k)
  const layer = new RotatedLayer(data, null, other)
  try {
    forEachChunk(data, (d, c) => {
      const j = layer.jacobians(d, c)
      const size = m * k
      for (let x = 0; x < c; x++) {
        for (let e = 0; e < size; e++) acc[e] += Math.abs(j[x * size + e])
      }
    })
  } finally {
    layer.dispose()
  }
  const count = data.derivatives ? data.n : 1
  return transpose(
    mat(
      m,
      k,
      acc.map((v) => v / count),
    ),
  )
}
