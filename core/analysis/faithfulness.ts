import { accuracy } from '../model/forward.ts'
import { type Mat, mat, matmul, matmulNT, matmulTN } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import { propagate } from './activations.ts'

/**
 * Is a sparse Jacobian a faithful description of the network? In a given basis, keep
 * only the strongest connections of one layer and ablate the rest, and see how much
 * accuracy survives.
 *
 * Definition. Weight layer k (1-based) maps space k−1 to space k. In bases R_{k-1}, R_k
 * its rotated pre-activation map is M̃ = R_k·W_k·R_{k-1}ᵀ: entry (i, j) connects rotated
 * input direction j to rotated output direction i. The ablated network replaces layer k by
 *
 *   ã_k = R_k·σ(R_kᵀ·(M̃ ⊙ mask)·ã_{k-1} + b_k)   (no σ for the logit layer)
 *
 * and leaves every other layer alone. Since ã_{k-1} = R_{k-1}·a_{k-1}, this is the
 * original network with W_k replaced by W_eff = R_kᵀ·(M̃ ⊙ mask)·R_{k-1}, which is how it
 * is run (in tfjs). mask = all ones gives W_eff = W_k: the unablated network. With
 * identity bases it is plain weight pruning, W_k ⊙ mask.
 *
 * Connections are ranked by mean |J_ij| over training inputs in the same bases
 * (`layerMetrics(..., { meanAbs: true }).meanAbs`), J = R_k·D_k(x)·W_k·R_{k-1}ᵀ.
 */

/** One point of a faithfulness curve: accuracy with the strongest k connections kept. */
export interface FaithfulnessPoint {
  readonly k: number
  readonly accuracy: number
}

/** The tolerances the run summary reports `fewestConnections` at. */
export const FAITHFULNESS_TOLERANCES: readonly number[] = [0.01, 0.001]

/**
 * M̃ = R_k·W_k·R_{k-1}ᵀ in float64 ([d_k × d_{k-1}]). `bases[k]` null is the identity.
 * Oblique bases (ã = T·a): `bases` holds T and `inBases` T⁻ᵀ, so M̃ = T_k·W_k·T_{k-1}⁻¹
 * (and `ablatedWeightFrom` maps back with T_k⁻¹·(M̃ ⊙ mask)·T_{k-1}); default inBases = bases.
 */
export function rotatedWeight(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  layer: number,
  inBases: readonly (Mat | null)[] = bases,
): Mat {
  const l = layerOf(params, layer)
  let m = mat(l.outDim, l.inDim, l.weight)
  const rIn = inBases[layer - 1] ?? null
  const rOut = bases[layer] ?? null
  if (rIn) m = matmulNT(m, checkSquare(rIn, l.inDim))
  if (rOut) m = matmul(checkSquare(rOut, l.outDim), m)
  return m
}

/** W_eff = R_kᵀ·(M̃ ⊙ mask)·R_{k-1} as float32 [d_k × d_{k-1}], for M̃ from `rotatedWeight`. */
export function ablatedWeightFrom(
  rotated: Mat,
  bases: readonly (Mat | null)[],
  layer: number,
  mask: ArrayLike<number>,
  inBases: readonly (Mat | null)[] = bases,
): Float32Array {
  if (mask.length !== rotated.data.length) {
    throw new Error(`mask has ${mask.length} entries, layer has ${rotated.data.length}`)
  }
  let m = mat(rotated.rows, rotated.cols)
  for (let e = 0; e < mask.length; e++) m.data[e] = mask[e] ? rotated.data[e] : 0
  // T_k⁻¹ = (T_k⁻ᵀ)ᵀ is the reading-side matrix of space k, transposed; T_{k-1} its writing side.
  const outInverse = inBases[layer] ?? null
  const inForward = bases[layer - 1] ?? null
  if (outInverse) m = matmulTN(outInverse, m)
  if (inForward) m = matmul(m, inForward)
  return Float32Array.from(m.data)
}

export function ablatedWeight(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  layer: number,
  mask: ArrayLike<number>,
  inBases: readonly (Mat | null)[] = bases,
): Float32Array {
  return ablatedWeightFrom(
    rotatedWeight(params, bases, layer, inBases),
    bases,
    layer,
    mask,
    inBases,
  )
}

/** Logits of the network with layer `layer` ablated by `mask` ([d_k × d_{k-1}], 1 = keep). */
export function ablatedLogits(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  layer: number,
  mask: ArrayLike<number>,
  x: Float32Array,
  n: number,
  inBases: readonly (Mat | null)[] = bases,
): Float32Array {
  const w = ablatedWeight(params, bases, layer, mask, inBases)
  return propagate(params, 0, params.layers.length, x, n, new Map([[layer, w]]))
}

export function ablatedAccuracy(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  layer: number,
  mask: Uint8Array,
  x: Float32Array,
  labels: ArrayLike<number>,
): number {
  const n = labels.length
  const logits = ablatedLogits(params, bases, layer, mask, x, n)
  return accuracy(logits, labels, params.sizes[params.sizes.length - 1])
}

/**
 * Mask keeping the k largest entries of `scores` (ties broken towards the lower index,
 * so the result is deterministic). k ≥ length keeps everything.
 */
export function topKMask(scores: ArrayLike<number>, k: number): Uint8Array {
  return maskFromOrder(rankByScore(scores), k)
}

/** Mask keeping the first k indices of `order` (a ranking from `rankByScore`). */
function maskFromOrder(order: Int32Array, k: number): Uint8Array {
  const mask = new Uint8Array(order.length)
  const keep = Math.max(0, Math.min(order.length, Math.floor(k)))
  for (let r = 0; r < keep; r++) mask[order[r]] = 1
  return mask
}

/**
 * Accuracy with only the strongest k connections of layer `layer` kept, for each k in
 * `ks`. `meanAbs` is mean |J| of the layer in the same bases ([d_k × d_{k-1}]). The
 * activations below the layer are computed once and reused for every k.
 */
export function faithfulnessCurve(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  layer: number,
  meanAbs: ArrayLike<number>,
  x: Float32Array,
  labels: ArrayLike<number>,
  ks: readonly number[],
  inBases: readonly (Mat | null)[] = bases,
): FaithfulnessPoint[] {
  const l = layerOf(params, layer)
  if (meanAbs.length !== l.outDim * l.inDim) {
    throw new Error(
      `meanAbs has ${meanAbs.length} entries, layer ${layer} has ${l.outDim * l.inDim}`,
    )
  }
  const n = labels.length
  const L = params.layers.length
  const classes = params.sizes[L]
  const below = propagate(params, 0, layer - 1, x, n)
  const rotated = rotatedWeight(params, bases, layer, inBases)
  const order = rankByScore(meanAbs)
  return ks.map((k) => {
    const w = ablatedWeightFrom(rotated, bases, layer, maskFromOrder(order, k), inBases)
    const logits = propagate(params, layer - 1, L, below, n, new Map([[layer, w]]))
    return { k, accuracy: accuracy(logits, labels, classes) }
  })
}

/**
 * The fewest connections in the curve whose accuracy is within `tolerance` of
 * `fullAccuracy` (accuracy ≥ fullAccuracy − tolerance), or null if no point is.
 */
export function fewestConnections(
  curve: readonly FaithfulnessPoint[],
  fullAccuracy: number,
  tolerance: number,
): number | null {
  let best: number | null = null
  for (const p of curve) {
    if (p.accuracy >= fullAccuracy - tolerance - 1e-12 && (best === null || p.k < best)) best = p.k
  }
  return best
}

/**
 * Connection counts for a curve over a layer with `total` connections: about `points`
 * log-spaced integers from 1 to total (always including both ends).
 */
export function connectionCounts(total: number, points = 24): number[] {
  if (total <= 0) return [0]
  const out = new Set<number>([1, total])
  for (let i = 1; i < points - 1; i++) {
    out.add(
      Math.max(1, Math.min(total, Math.round(Math.exp((Math.log(total) * i) / (points - 1))))),
    )
  }
  return [...out].sort((a, b) => a - b)
}

/** Indices sorted by descending score, ties by ascending index. */
function rankByScore(scores: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i)
  return order.sort((a, b) => scores[b] - scores[a] || a - b)
}

function layerOf(params: MlpParams, layer: number) {
  if (!Number.isInteger(layer) || layer < 1 || layer > params.layers.length) {
    throw new Error(`layer ${layer} out of range 1…${params.layers.length}`)
  }
  return params.layers[layer - 1]
}

function checkSquare(r: Mat, d: number): Mat {
  if (r.rows !== d || r.cols !== d) throw new Error(`basis ${r.rows}×${r.cols}, expected ${d}×${d}`)
  return r
}
