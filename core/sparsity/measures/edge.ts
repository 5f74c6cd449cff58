import type { LayerData } from '../../jacobian/layer-data.ts'
import { symmetricEigen } from '../../linalg/eigen.ts'
import { mat, matmulTN } from '../../linalg/matrix.ts'
import type { SquareForm } from './measure.ts'

/**
 * The edge (group) form of a measure (DESIGN.md §1): Σ_ij ψ(E_ij) with E_ij = mean_x
 * J_ij(x)², the measure applied to each edge's root-mean-square magnitude over the inputs
 * (ψ(u) = φ(√u): Σ_ij φ(√E_ij)). Sparse in the same places at every input: few channels.
 *
 * E depends on the inputs only through the second moments of the layer's derivatives.
 * With J(x) = R·diag(d_x)·M (M = W·R_inᵀ) and C = (1/n)·Σ_x d_x·d_xᵀ:
 *   E_ij = Σ_{c,c'} R_ic·R_ic'·M_cj·M_c'j·C_cc'.
 * Factor C = Σ_k v_k·v_kᵀ (v_k = √λ_k·u_k, its eigenpairs, λ_k > 0): then
 * E = Σ_k J_k ⊙ J_k with J_k = R·diag(v_k)·M — the Jacobians of r ≤ d_out "virtual
 * inputs" whose derivative rows are the v_k. So the edge term, and its gradient through
 * ∂/∂J_k = 2·ψ'(E) ⊙ J_k, run on the same batched-Jacobian kernels as the per-input
 * term, at a cost independent of n (r·d_out·d_out·d_in per pass), exactly — also for
 * minibatch optimizers, which get the full objective inputs' edge term at every step.
 * The logit layer (D = I) is its own virtual input: E = J ⊙ J.
 */

/**
 * Eigenvalues at or below this fraction of the largest are taken as 0 (dead units make C
 * exactly singular; what is dropped changes E by at most that fraction of its scale).
 */
const RELATIVE_EIGEN_FLOOR = 1e-12

const virtualCache = new WeakMap<LayerData, LayerData>()

/**
 * The layer's virtual inputs: the same layer with derivative rows v_k, C = Σ_k v_k·v_kᵀ
 * (n = r of them); the logit layer as it is. Computed once per LayerData (cached).
 */
export function virtualInputs(data: LayerData): LayerData {
  if (!data.derivatives) return data
  let v = virtualCache.get(data)
  if (!v) {
    v = { ...data, ...secondMomentFactor(data.derivatives, data.n, data.outDim) }
    virtualCache.set(data, v)
  }
  return v
}

/** Rows v_k with Σ_k v_k·v_kᵀ = (1/n)·Σ_x d_x·d_xᵀ, from the eigenpairs of that matrix. */
export function secondMomentFactor(
  derivatives: Float32Array,
  n: number,
  dim: number,
): { derivatives: Float32Array; n: number } {
  const d = mat(n, dim, derivatives)
  const c = matmulTN(d, d)
  for (let e = 0; e < c.data.length; e++) c.data[e] /= n
  const { values, vectors } = symmetricEigen(c)
  const floor = Math.max(0, values[0]) * RELATIVE_EIGEN_FLOOR
  let r = 0
  while (r < dim && values[r] > floor) r++
  const rows = new Float32Array(Math.max(1, r) * dim)
  for (let k = 0; k < r; k++) {
    const s = Math.sqrt(values[k])
    for (let c2 = 0; c2 < dim; c2++) rows[k * dim + c2] = s * vectors.data[k * dim + c2]
  }
  // All-dead layer: one zero row, so E = 0 (no edges) rather than no inputs at all.
  return { derivatives: rows, n: Math.max(1, r) }
}

/** Σ_ij ψ(E_ij), and when asked the gradient factor 2·ψ'(E) (∂/∂J_k = factor ⊙ J_k). */
export function edgeTerm(
  form: SquareForm,
  e: Float64Array,
  grad: boolean,
): { value: number; factor: Float32Array | null } {
  let value = 0
  for (const u of e) value += form.value(u)
  if (!grad) return { value, factor: null }
  const factor = new Float32Array(e.length)
  for (let i = 0; i < e.length; i++) factor[i] = 2 * form.slope(e[i])
  return { value, factor }
}
