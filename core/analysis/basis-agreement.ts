import { type Mat, mat, matmulNT } from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { hungarian } from './assignment.ts'
import { svd } from '../linalg/eigen.ts'

/**
 * Do two learned bases agree? Bases are matrices whose rows are directions (a rotation
 * R ∈ O(d), ã = R·a). A basis found by sparsifying Jacobians is defined only up to the
 * order and sign of its directions, so the comparison is up to a signed permutation:
 * pair each row of A with a distinct row of B so that Σ|cos| is maximal (an optimal
 * assignment, solved exactly by the Hungarian algorithm), then report how well the
 * pairs line up.
 */
export interface BasisAgreement {
  /** Row i of A is paired with row matching[i] of B. */
  readonly matching: number[]
  /** Sign of cos(A_i, B_matching[i]) (+1 when the cosine is 0). */
  readonly signs: number[]
  /** |cos| of each matched pair. */
  readonly matchedAbsCos: number[]
  readonly meanAbsCos: number
  /** Angle of each matched pair in radians, arccos|cos| ∈ [0, π/2], computed stably near 0. */
  readonly matchedAngles: number[]
  /** k used for `principalAngles`. */
  readonly k: number
  /**
   * Principal angles (radians, ascending) between span(A[:k]) and span(B[:k]). For full
   * bases (k = d) the two spans are the whole space and all angles are 0; the per-pair
   * `matchedAngles` are the per-direction comparison then.
   */
  readonly principalAngles: number[]
  /**
   * ‖Â − P·S·B̂‖_F / √(2n) ∈ [0, 1] for the optimal signed permutation P·S (rows
   * normalised): 0 iff B is a signed permutation of A. Equals √(1 − meanAbsCos).
   */
  readonly permutationDistance: number
}

export interface SubspaceAgreement {
  readonly k: number
  /** Principal angles in radians, ascending. */
  readonly principalAngles: number[]
  /** Their cosines (the singular values of A_k·B_kᵀ), descending. */
  readonly cosines: number[]
  /** Σ cos²θ_i / k = ‖A_k·B_kᵀ‖²_F / k ∈ [0, 1]: 1 iff the spans coincide. */
  readonly overlap: number
  /** E[overlap] for two independent uniformly random k-dimensional subspaces: k/d. */
  readonly chanceOverlap: number
}

/**
 * Compares bases A (n×d) and B (m×d, n ≤ m; usually both d×d rotations). Rows need not
 * be unit length for the matching (they are normalised); `principalAngles` assumes
 * orthonormal rows, as rotations have. `options.k` picks the leading rows compared as
 * subspaces (default: all n).
 */
export function basisAgreement(a: Mat, b: Mat, options: { k?: number } = {}): BasisAgreement {
  if (a.cols !== b.cols) throw new Error(`basisAgreement: ${a.cols} vs ${b.cols} columns`)
  if (a.rows > b.rows) throw new Error(`basisAgreement: A has more rows than B`)
  const n = a.rows
  const an = normalizeRows(a)
  const bn = normalizeRows(b)
  const cos = matmulNT(an, bn)
  const negAbs = mat(cos.rows, cos.cols)
  for (let e = 0; e < cos.data.length; e++) negAbs.data[e] = -Math.abs(cos.data[e])
  const assignment = hungarian(negAbs)
  const matching: number[] = []
  const signs: number[] = []
  const matchedAbsCos: number[] = []
  const matchedAngles: number[] = []
  let sumSq = 0
  for (let i = 0; i < n; i++) {
    const j = assignment[i]
    const c = cos.data[i * cos.cols + j]
    const s = c < 0 ? -1 : 1
    matching.push(j)
    signs.push(s)
    matchedAbsCos.push(Math.min(1, Math.abs(c)))
    // ‖â − s·b̂‖ = 2·sin(θ/2): no loss of precision for nearly parallel pairs.
    let d2 = 0
    for (let c2 = 0; c2 < a.cols; c2++) {
      const diff = an.data[i * a.cols + c2] - s * bn.data[j * b.cols + c2]
      d2 += diff * diff
    }
    sumSq += d2
    matchedAngles.push(2 * Math.asin(Math.min(1, Math.sqrt(d2) / 2)))
  }
  const meanAbsCos = n === 0 ? 0 : matchedAbsCos.reduce((x, y) => x + y, 0) / n
  const k = options.k ?? n
  return {
    matching,
    signs,
    matchedAbsCos,
    meanAbsCos,
    matchedAngles,
    k,
    principalAngles: principalAngles(a, b, k),
    permutationDistance: n === 0 ? 0 : Math.sqrt(sumSq / (2 * n)),
  }
}

/**
 * The `pairwise` scheme rotates each activation space Y twice: once as the output basis
 * of layer X→Y (R_out of layer k) and once as the input basis of layer Y→Z (R_in of
 * layer k+1), each chosen only to sparsify its own layer. If both find the same
 * directions (up to order and sign), the space has a preferred basis that both layers
 * see; if they disagree, the "basis" is a property of a single layer's objective.
 */
export function channelAgreement(
  rOutOfLayerK: Mat,
  rInOfLayerK1: Mat,
  options: { k?: number } = {},
): BasisAgreement {
  return basisAgreement(rOutOfLayerK, rInOfLayerK1, options)
}

/**
 * Principal angles between span(A[:k]) and span(B[:k]) (rows orthonormal). Cosines are
 * the singular values of A_k·B_kᵀ; sines the singular values of B_k·(I − A_kᵀA_k) —
 * computed as B_k·A_⊥ᵀ when A is a full square basis — and θ = atan2(sin, cos), which
 * stays accurate for angles near 0 where arccos alone loses half the digits.
 */
export function subspaceAgreement(a: Mat, b: Mat, k: number): SubspaceAgreement {
  const d = a.cols
  const angles = principalAngles(a, b, k)
  const cosines = angles.map((t) => Math.cos(t))
  const overlap = k === 0 ? 1 : cosines.reduce((s, c) => s + c * c, 0) / k
  return { k, principalAngles: angles, cosines, overlap, chanceOverlap: d === 0 ? 0 : k / d }
}

export function principalAngles(a: Mat, b: Mat, k: number): number[] {
  const d = a.cols
  if (b.cols !== d) throw new Error(`principalAngles: ${d} vs ${b.cols} columns`)
  if (!Number.isInteger(k) || k < 0 || k > a.rows || k > b.rows) {
    throw new Error(`principalAngles: k = ${k} out of range`)
  }
  if (k === 0) return []
  // Two k = d subspaces of R^d are both the whole space.
  if (k === d) return new Array<number>(k).fill(0)
  if (a.rows === d && b.rows === d && 2 * k > d) {
    // Full bases: the nonzero angles between two subspaces are those between their
    // orthogonal complements span(A[k:]), span(B[k:]); the other 2k − d angles are 0.
    // Far cheaper than a k×k SVD when k is close to d.
    const rest = principalAngles(reversedRows(a), reversedRows(b), d - k)
    return [...new Array<number>(2 * k - d).fill(0), ...rest]
  }
  const ak = leadingRows(a, k)
  const bk = leadingRows(b, k)
  const cos = Array.from(svd(matmulNT(ak, bk)).s, (c) => Math.min(1, c))
  let sines: number[]
  if (a.rows === d) {
    // A square and orthogonal: I − A_kᵀA_k = A_⊥ᵀA_⊥, so sin θ = σ(B_k·A_⊥ᵀ).
    const rest = mat(d - k, d, a.data.subarray(k * d, d * d))
    sines = Array.from(svd(matmulNT(bk, rest)).s)
  } else {
    const proj = matmulNT(bk, ak) // k×k
    const resid = mat(k, d)
    for (let i = 0; i < k; i++) {
      for (let c = 0; c < d; c++) {
        let s = bk.data[i * d + c]
        for (let j = 0; j < k; j++) s -= proj.data[i * k + j] * ak.data[j * d + c]
        resid.data[i * d + c] = s
      }
    }
    sines = Array.from(svd(resid).s)
  }
  sines.sort((x, y) => x - y)
  while (sines.length < k) sines.unshift(0)
  // cos descending pairs with sin ascending (c_i² + s_i² = 1 for the same angle).
  return cos.map((c, i) => Math.atan2(Math.min(1, sines[i]), c)).sort((x, y) => x - y)
}

/**
 * What `meanAbsCos` looks like for bases that share nothing: the agreement of pairs of
 * independent Haar-random rotations of size d. A learned basis "means something" only
 * if two runs agree far above this.
 */
export function agreementBaseline(
  d: number,
  options: { trials?: number; seed?: number } = {},
): { mean: number; std: number; samples: number[] } {
  const trials = options.trials ?? 3
  const rng = createRng(options.seed ?? 0)
  const samples: number[] = []
  for (let t = 0; t < trials; t++) {
    samples.push(basisAgreement(haarRotation(d, rng), haarRotation(d, rng), { k: 0 }).meanAbsCos)
  }
  const mean = samples.reduce((x, y) => x + y, 0) / trials
  const variance = samples.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, trials - 1)
  return { mean, std: Math.sqrt(variance), samples }
}

function reversedRows(a: Mat): Mat {
  const out = mat(a.rows, a.cols)
  for (let i = 0; i < a.rows; i++) {
    out.data.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), (a.rows - 1 - i) * a.cols)
  }
  return out
}

function leadingRows(a: Mat, k: number): Mat {
  return mat(k, a.cols, a.data.subarray(0, k * a.cols))
}

function normalizeRows(a: Mat): Mat {
  const out = mat(a.rows, a.cols, a.data)
  for (let i = 0; i < a.rows; i++) {
    let s = 0
    for (let j = 0; j < a.cols; j++) s += out.data[i * a.cols + j] ** 2
    const norm = Math.sqrt(s)
    if (norm > 0) for (let j = 0; j < a.cols; j++) out.data[i * a.cols + j] /= norm
  }
  return out
}
