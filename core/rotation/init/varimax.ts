import type { LayerData } from '../../jacobian/layer-data.ts'
import { RotatedLayer, forEachChunk } from '../../jacobian/rotated.ts'
import { polar } from '../../linalg/eigen.ts'
import { type Mat, frobenius, identity, mat, matmul, matmulNT, sub, transpose } from '../../linalg/matrix.ts'
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
  const mm = norm > 0 ? mat(n, p, m.data.map((v) => v / norm)) : m
  let r = options.start ?? identity(n)
  let iterations = 0
  let converged = false
  for (; iterations < maxIterations; ) {
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

/**
 * mean_x |J(x)| for one layer with the other side's rotation applied, oriented so its rows
 * are the coordinates the sought rotation acts on:
 *   side 'out' (R_k): mean_x |D_x·W·R_{k−1}ᵀ|, [d_out × d_in] = diag(mean|d|)·|W·R_{k−1}ᵀ|;
 *   side 'in' (R_{k−1}): (mean_x |R_k·D_x·W|)ᵀ, [d_in × d_out], from the Jacobians
 *   (`RotatedLayer`, chunked; closed form when R_k is the identity).
 * `other` null means the neuron basis on the other side.
 */
export function meanAbsJacobian(data: LayerData, side: LayerSide, other: Mat | null): Mat {
  const { outDim: m, inDim: k } = data
  const meanAbsD = new Float64Array(m)
  let count = 0
  forEachChunk(data, (d, c) => {
    count += c
    if (!d) {
      meanAbsD.fill(1)
      return
    }
    for (let x = 0; x < c; x++) for (let i = 0; i < m; i++) meanAbsD[i] += Math.abs(d[x * m + i])
  })
  if (data.derivatives) for (let i = 0; i < m; i++) meanAbsD[i] /= count
  if (side === 'out' || !other) {
    // |D·M| = |D|·|M| row by row, M = W·R_inᵀ (or W).
    let w = mat(m, k, data.weight)
    if (side === 'out' && other) w = matmulNT(w, other)
    const out = mat(m, k)
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < k; c++) out.data[i * k + c] = meanAbsD[i] * Math.abs(w.data[i * k + c])
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
  const out = mat(m, k, acc.map((v) => v / count))
  return transpose(out)
}

/**
 * The ℓ4 (γ = 0) or varimax (γ = 1) rotation of a layer's mean |J| for the given side:
 * rows of the result are the new basis directions, chosen so the rotated mean |J| is as
 * concentrated as possible. A heuristic start for the sparse objective: it sparsifies
 * the average magnitude pattern, not each J(x).
 */
export function varimaxRotation(
  data: LayerData,
  side: LayerSide,
  other: Mat | null,
  options: L4Options = {},
): Mat {
  return l4Rotation(meanAbsJacobian(data, side, other), options).rotation
}
