import { accuracy } from '../model/forward.ts'
import { type Mat, mat, matmul, matmulNT, matmulTN } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import { propagate, rotatedActivations } from './activations.ts'

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

/** Accuracy of an ablated network as a function of how many elements are kept. */
export interface Ablation {
  /** Elements there are to keep (connections of a layer, directions of a space). */
  readonly total: number
  /** Accuracy with the k highest-ranked elements kept and the rest ablated (memoised). */
  at(k: number): number
  /** Every k evaluated so far with its accuracy, ascending in k. */
  evaluated(): FaithfulnessPoint[]
}

function memoised(total: number, accuracyAt: (k: number) => number): Ablation {
  const seen = new Map<number, number>()
  return {
    total,
    at(k) {
      const kk = Math.max(0, Math.min(total, Math.floor(k)))
      let a = seen.get(kk)
      if (a === undefined) {
        a = accuracyAt(kk)
        seen.set(kk, a)
      }
      return a
    },
    evaluated: () => [...seen].map(([k, accuracy]) => ({ k, accuracy })).sort((p, q) => p.k - q.k),
  }
}

/**
 * Edge ablation of layer `layer`: accuracy on (x, labels) with only its k strongest
 * connections kept, ranked by `ranking` ([d_k × d_{k-1}], e.g. mean |J| on the objective
 * inputs in the same bases). The activations below the layer, M̃ and the ranking are
 * computed once; each k is one forward pass of the layers from `layer` on.
 */
export function edgeAblation(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  layer: number,
  ranking: ArrayLike<number>,
  x: Float32Array,
  labels: ArrayLike<number>,
  inBases: readonly (Mat | null)[] = bases,
): Ablation {
  const l = layerOf(params, layer)
  if (ranking.length !== l.outDim * l.inDim) {
    throw new Error(
      `ranking has ${ranking.length} entries, layer ${layer} has ${l.outDim * l.inDim}`,
    )
  }
  const rotated = rotatedWeight(params, bases, layer, inBases)
  const order = rankByScore(ranking)
  return layerAblation(params, layer, x, labels, order.length, (k) =>
    ablatedWeightFrom(rotated, bases, layer, maskFromOrder(order, k), inBases),
  )
}

/**
 * Accuracy on (x, labels) as a function of k when layer `layer` runs with the weights
 * `weightFor(k)`: the activations below it are computed once, each k is one forward pass
 * of the layers from `layer` on.
 */
function layerAblation(
  params: MlpParams,
  layer: number,
  x: Float32Array,
  labels: ArrayLike<number>,
  total: number,
  weightFor: (k: number) => Float32Array,
): Ablation {
  const n = labels.length
  const L = params.layers.length
  const below = propagate(params, 0, layer - 1, x, n)
  return memoised(total, (k) => {
    const logits = propagate(params, layer - 1, L, below, n, new Map([[layer, weightFor(k)]]))
    return accuracy(logits, labels, params.sizes[L])
  })
}

/**
 * Node ablation of activation space `space` (0 ≤ space < L) in the basis ã = T·a
 * (T = bases[space], null = neuron basis): keep the k most important directions
 * (`importance`, one per direction) and zero the others, a ↦ T⁻¹·P_k·T·a, right before the
 * layer that reads the space (its only reader): W_{space+1} ↦ W·T⁻¹·P_k·T. T⁻¹ is the
 * transpose of `inBases[space]` (T⁻ᵀ; = T for rotations). k = d is the unablated network.
 */
export function nodeAblation(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  space: number,
  importance: ArrayLike<number>,
  x: Float32Array,
  labels: ArrayLike<number>,
  inBases: readonly (Mat | null)[] = bases,
): Ablation {
  const l = layerOf(params, space + 1)
  if (importance.length !== l.inDim) {
    throw new Error(`importance has ${importance.length} entries, space ${space} has ${l.inDim}`)
  }
  const reading = readingWeight(params, space, inBases)
  const forward = bases[space] ?? null
  const order = rankByScore(importance)
  return layerAblation(params, space + 1, x, labels, order.length, (k) => {
    const keep = maskFromOrder(order, k)
    let w = mat(reading.rows, reading.cols)
    for (let e = 0; e < w.data.length; e++) if (keep[e % reading.cols]) w.data[e] = reading.data[e]
    if (forward) w = matmul(w, checkSquare(forward, l.inDim))
    return Float32Array.from(w.data)
  })
}

/**
 * How much each direction of space `space` matters to the layer reading it, on inputs x
 * ([n × d_0]): mean over x of |ã_i(x)|·‖W_{space+1}·T⁻¹·e_i‖₂ — the mean size of the change
 * in that layer's pre-activations when direction i alone is zeroed (exact, as z is linear
 * in a). Rescaling a direction leaves it unchanged, so rotations and oblique bases (LIB)
 * are ranked alike, and a direction that is always zero, or that the layer ignores, is 0.
 */
export function directionImportance(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  space: number,
  x: Float32Array,
  n: number,
  inBases: readonly (Mat | null)[] = bases,
): Float64Array {
  const reading = readingWeight(params, space, inBases)
  const d = reading.cols
  const acts = rotatedActivations(params, bases[space] ?? null, space, x, n)
  const out = new Float64Array(d)
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) out[i] += Math.abs(acts[r * d + i])
  for (let i = 0; i < d; i++) {
    let s = 0
    for (let o = 0; o < reading.rows; o++) s += reading.data[o * d + i] ** 2
    out[i] *= Math.sqrt(s) / Math.max(1, n)
  }
  return out
}

/** W_{space+1}·T⁻¹ in float64: the layer reading `space` as it reads ã (T⁻¹ = inBases[space]ᵀ). */
function readingWeight(params: MlpParams, space: number, inBases: readonly (Mat | null)[]): Mat {
  const l = layerOf(params, space + 1)
  const w = mat(l.outDim, l.inDim, l.weight)
  const rIn = inBases[space] ?? null
  return rIn ? matmulNT(w, checkSquare(rIn, l.inDim)) : w
}

/**
 * Accuracy with only the strongest k connections of layer `layer` kept, for each k in
 * `ks` (`edgeAblation` at those k).
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
  const ablation = edgeAblation(params, bases, layer, meanAbs, x, labels, inBases)
  return ks.map((k) => ({ k, accuracy: ablation.at(k) }))
}

/** The accuracy a tolerance asks for: within `tolerance` of `fullAccuracy` (float slack 1e-12). */
export function targetAccuracy(fullAccuracy: number, tolerance: number): number {
  return fullAccuracy - tolerance - 1e-12
}

/**
 * The fewest kept elements k ∈ [0, total] with accuracy ≥ `target`, by bisection as rib's
 * `BisectSchedule` does: the search holds acc(lo) < target ≤ acc(hi) and halves [lo, hi]
 * until hi = lo + 1, so the answer passes and keeping one element fewer fails.
 *
 * Accuracy is not monotone in k (ablating a connection can help). The bracket starts at
 * the first point of `known` that passes (e.g. the curve; k = total if none does) and the
 * last known point below it, which fails (k = 0, evaluated, if there is none — and 0 is the
 * answer if it passes). So the answer is the first crossing of the target below the
 * curve's fewest point: never more than the curve gives, and the exact minimum wherever
 * accuracy is monotone below that point; a k that passes only below a point that fails
 * (a dip and a recovery below the curve's first passing point) is not searched for.
 * null if even keeping everything fails (float error in an ill-conditioned basis).
 */
export function fewestKept(
  ablation: Ablation,
  target: number,
  known: readonly FaithfulnessPoint[] = [],
): number | null {
  const passes = (k: number): boolean => ablation.at(k) >= target
  const points = known.filter((p) => p.k >= 0 && p.k <= ablation.total).sort((p, q) => p.k - q.k)
  let hi = points.find((p) => p.accuracy >= target)?.k
  if (hi === undefined) {
    if (!passes(ablation.total)) return null
    hi = ablation.total
  }
  let lo = -1
  for (const p of points) if (p.k < hi) lo = p.k
  if (lo < 0) {
    if (hi === 0 || passes(0)) return 0
    lo = 0
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (passes(mid)) hi = mid
    else lo = mid
  }
  return hi
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
  const target = targetAccuracy(fullAccuracy, tolerance)
  for (const p of curve) if (p.accuracy >= target && (best === null || p.k < best)) best = p.k
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
