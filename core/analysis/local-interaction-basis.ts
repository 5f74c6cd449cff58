import type { LayerData } from '../jacobian/layer-data.ts'
import { symmetricEigen } from '../linalg/eigen.ts'
import { type Mat, identity, mat, matmul, matmulNT, matmulTN, transpose } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import { canonicalSigns } from '../rotation/init/canonical.ts'
import { covariance, pcaRotation } from '../rotation/init/pca.ts'
import { propagate } from './activations.ts'

/**
 * The Local Interaction Basis (LIB; Bushnaq et al. 2024, "The Local Interaction Basis:
 * Identifying Computationally-Relevant and Sparsely Interacting Features in Neural
 * Networks"), as Apollo Research's `rib` package computes it with the paper's settings
 * (`basis_formula: jacobian`, `center: true`, `integration_method: gradient`,
 * `rotate_final_node_layer: false`; see `_calculate_one_interaction_rotation` in
 * rib/interaction_algos.py). Column-vector convention, ã = T·a:
 *
 * 1. Gram-matrix PCA. Σ = Cov(a) over the inputs (centred: rib's `center: true`, whose
 *    centring matrix Y shifts every coordinate but the folded bias) = U·D·Uᵀ. Directions
 *    with D_i ≤ VARIANCE_TOLERANCE·D_max carry no variance (dead ReLUs); rib drops them.
 *    The others are whitened: â = D^{-1/2}·Uᵀ·a (rib's R = W·D^{-1/2}).
 * 2. The interaction matrix. M = E_x[Ĵ(x)ᵀ·Ĵ(x)], Ĵ = ∂(next space in its LIB basis)/∂â:
 *    for the MLP the layer after the space, J(x) = T'_{k+1}·D_{k+1}(x)·W_{k+1} (rib's
 *    `calc_basis_jacobian` with `C_out` = the next space's truncated C, at α = 1: plain
 *    gradients, no integration). In whitened coordinates M̂ = D^{1/2}·Uᵀ·E[JᵀJ]·U·D^{1/2}
 *    (rib's R_pinv·M'·R_pinvᵀ). The last hidden space reads the logits in the neuron basis
 *    (rib's C = None for the output node layer), J = W_L.
 * 3. M̂ = V·Λ·Vᵀ, and LIB scales direction i by √λ_i (rib's `build_sorted_lambda_matrices`,
 *    for the jacobian formula Λ = the eigenvalues of M̂): T = Λ^{1/2}·Vᵀ·D^{-1/2}·Uᵀ, rows
 *    by descending λ. Then Cov(ã) = Λ and E[(J·T⁻¹)ᵀ(J·T⁻¹)] = I: every direction sends a
 *    unit mean-square Jacobian to the next space and carries its importance λ_i itself.
 *
 * Where the MLP setting here differs from rib's:
 * - Biases. rib folds biases into the weights (a constant 1 appended to every space) and,
 *   with centring, keeps the constant as its own first LIB direction (the bias node).
 *   Here biases stay in b_k and changes of basis are linear, so T is the linear part of
 *   rib's affine map: the same directions and scales, acting on a rather than a − μ. The
 *   Jacobians, and so every metric here, do not see the difference.
 * - Square and invertible. rib truncates twice (zero variance, then λ below its threshold)
 *   and keeps a rectangular C with a pseudo-inverse. Here T must be square and invertible
 *   (it is inserted as T⁻¹·T like the oblique transforms), so what rib drops is kept as
 *   trailing rows, in a way that keeps T⁻¹'s columns for the kept directions exactly rib's
 *   C_pinv: directions of M̂'s null space (no effect downstream: e.g. 118 of 128 before a
 *   10-logit layer) stay whitened and are scaled by the floor √(IMPORTANCE_FLOOR·λ_max)
 *   instead of √0, so their incoming connections rank last and count as near zero, as if
 *   dropped; zero-variance directions come last, unit PCA directions (as PCA has them).
 *   Only the directions LIB keeps (`kept`) build the previous space's M, as rib's
 *   truncated C_out does.
 * - Thresholds are relative (rib: an absolute 1e-15 on float64 Gram eigenvalues), and
 *   rows are signed so their largest entry is positive (eigenvectors have no sign).
 * - The logit space, when a run frees it, gets rib's `rotate_final_node_layer` choice:
 *   its (centred) PCA basis, orthogonal.
 */

/** Covariance eigenvalues at most this fraction of the largest count as zero variance. */
export const VARIANCE_TOLERANCE = 1e-10

/** λ below this fraction of the largest is LIB's "dropped" (truncated) and scaled by its floor. */
export const IMPORTANCE_FLOOR = 1e-8

/** A LIB change of basis of one space: rows of `forward` are the LIB directions (ã = T·a). */
export interface LocalInteractionBasis {
  readonly forward: Mat
  /** T⁻¹ in closed form (a = T⁻¹·ã); its first `kept` columns are rib's C_pinv rows. */
  readonly inverse: Mat
  /** λ_i per row: the eigenvalue of M̂ (0 for the zero-variance rows), descending. */
  readonly importance: Float64Array
  /** Rows LIB keeps (λ_i > IMPORTANCE_FLOOR·λ_max); the rest trail. */
  readonly kept: number
  /** Rows with variance (the rank of the covariance); rows from `rank` on are unit PCA directions. */
  readonly rank: number
}

/**
 * E_x[J(x)ᵀ·J(x)] ([d_in × d_in], float64) for the Jacobians J(x) = P·D(x)·W of one layer
 * (`data`), read through P (rows: directions of the layer's output space; null = the
 * identity). D is diagonal, so E[D·G·D] = G ∘ E[d·dᵀ] with G = PᵀP, and the result is
 * Wᵀ·(G ∘ E[d·dᵀ])·W: three native products, no per-input loop (D = I for the logit layer).
 */
export function interactionGram(data: LayerData, next: Mat | null): Mat {
  const { outDim: m, inDim, n } = data
  if (next && next.cols !== m)
    throw new Error(`interactionGram: P has ${next.cols} columns, not ${m}`)
  const g = next ? matmulTN(next, next) : identity(m)
  if (data.derivatives) {
    const d = mat(n, m, data.derivatives)
    const dd = matmulTN(d, d)
    for (let e = 0; e < g.data.length; e++) g.data[e] *= dd.data[e] / Math.max(1, n)
  }
  const w = mat(m, inDim, data.weight)
  return matmulTN(w, matmul(g, w))
}

/**
 * The LIB change of basis of one space from its activations on some inputs ([n × d]
 * row-major) and the interaction Gram E[JᵀJ] of the layer reading it, in its neuron basis
 * (`interactionGram`). Steps and deviations from rib: see the top of this file.
 */
export function libTransform(
  activations: Float32Array,
  n: number,
  d: number,
  jacobianGram: Mat,
): LocalInteractionBasis {
  if (jacobianGram.rows !== d || jacobianGram.cols !== d) {
    throw new Error(
      `libTransform: E[JᵀJ] is ${jacobianGram.rows}×${jacobianGram.cols}, not ${d}×${d}`,
    )
  }
  const pca = symmetricEigen(covariance(activations, n, d))
  const top = Math.max(0, pca.values[0] ?? 0)
  let rank = 0
  while (rank < d && pca.values[rank] > VARIANCE_TOLERANCE * top && pca.values[rank] > 0) rank++
  if (rank === 0) {
    // Constant activations: nothing to whiten or to rank; the (unit) PCA directions.
    return {
      ...orthogonalBasis(canonicalSigns(pca.vectors)),
      importance: new Float64Array(d),
      kept: 0,
      rank: 0,
    }
  }
  // Bt = D^{1/2}·Uᵀ and Wt = D^{-1/2}·Uᵀ over the directions with variance (rank × d):
  // a ≈ Btᵀ·â + μ, â = Wt·(a − μ).
  const bt = mat(rank, d)
  const wt = mat(rank, d)
  for (let i = 0; i < rank; i++) {
    const s = Math.sqrt(pca.values[i])
    for (let j = 0; j < d; j++) {
      const u = pca.vectors.data[i * d + j]
      bt.data[i * d + j] = s * u
      wt.data[i * d + j] = u / s
    }
  }
  const interaction = symmetricEigen(matmulNT(matmul(bt, jacobianGram), bt))
  const lambdaMax = Math.max(0, interaction.values[0] ?? 0)
  const floor = IMPORTANCE_FLOOR * lambdaMax
  // Rows of T: √λ_i·v_iᵀ·Wt; columns of T⁻¹: Btᵀ·v_i/√λ_i (λ floored; all 1 if M̂ = 0).
  const rows = matmul(interaction.vectors, wt)
  const cols = matmul(interaction.vectors, bt)
  const forward = mat(d, d)
  const inv = mat(d, d)
  const importance = new Float64Array(d)
  let kept = 0
  for (let i = 0; i < rank; i++) {
    const lambda = Math.max(0, interaction.values[i])
    importance[i] = lambda
    if (lambdaMax > 0 && lambda > floor) kept++
    const s = lambdaMax > 0 ? Math.sqrt(Math.max(lambda, floor)) : 1
    for (let j = 0; j < d; j++) {
      forward.data[i * d + j] = s * rows.data[i * d + j]
      inv.data[j * d + i] = cols.data[i * d + j] / s
    }
  }
  for (let i = rank; i < d; i++) {
    for (let j = 0; j < d; j++) {
      forward.data[i * d + j] = pca.vectors.data[i * d + j]
      inv.data[j * d + i] = pca.vectors.data[i * d + j]
    }
  }
  signRows(forward, inv)
  return { forward, inverse: inv, importance, kept, rank }
}

/** Signs each row of T canonically (largest entry positive) and its column of T⁻¹ with it. */
function signRows(forward: Mat, inv: Mat): void {
  const before = Float64Array.from(forward.data)
  canonicalSigns(forward)
  const d = forward.cols
  for (let i = 0; i < forward.rows; i++) {
    let j = 0
    while (j < d && before[i * d + j] === 0) j++
    if (j < d && forward.data[i * d + j] !== before[i * d + j]) {
      for (let r = 0; r < inv.rows; r++) inv.data[r * inv.cols + i] *= -1
    }
  }
}

/** An orthogonal basis as a LocalInteractionBasis (every row kept, T⁻¹ = Tᵀ). */
function orthogonalBasis(rotation: Mat): LocalInteractionBasis {
  const d = rotation.rows
  return {
    forward: rotation,
    inverse: transpose(rotation),
    importance: new Float64Array(d).fill(1),
    kept: d,
    rank: d,
  }
}

/**
 * LIB for every space in `free` (null elsewhere = the neuron basis), from the network and
 * its objective inputs `x` ([n × d_0]). Computed from the logits backwards, as rib does:
 * each space's M needs the next space's basis; a space not in `free` is read in its neuron
 * basis. `objectiveData` is `layerData` of the same inputs.
 */
export function libBases(
  params: MlpParams,
  objectiveData: readonly LayerData[],
  x: Float32Array,
  n: number,
  free: readonly number[],
): (LocalInteractionBasis | null)[] {
  const L = params.layers.length
  const out: (LocalInteractionBasis | null)[] = params.sizes.map(() => null)
  for (let space = L; space >= 0; space--) {
    if (!free.includes(space)) continue
    const d = params.sizes[space]
    const acts = propagate(params, 0, space, x.subarray(0, n * params.sizes[0]), n)
    if (space === L) {
      out[space] = orthogonalBasis(pcaRotation(acts, n, d))
      continue
    }
    const next = out[space + 1]
    const reading = next
      ? mat(
          next.kept,
          next.forward.cols,
          next.forward.data.subarray(0, next.kept * next.forward.cols),
        )
      : null
    out[space] = libTransform(acts, n, d, interactionGram(objectiveData[space], reading))
  }
  return out
}
