import type { LayerData } from '../../jacobian/layer-data.ts'
import { forEachChunk } from '../../jacobian/rotated.ts'
import { symmetricEigen } from '../../linalg/eigen.ts'
import { type Mat, mat } from '../../linalg/matrix.ts'
import { canonicalSigns } from './canonical.ts'

/** Which side of a weight layer k a rotation sits on: 'out' = R_k, 'in' = R_{k−1}. */
export type LayerSide = 'in' | 'out'

/**
 * The dataset mean of JJᵀ (side 'out', [d_out × d_out]) or JᵀJ (side 'in',
 * [d_in × d_in]) for one layer, J(x) = D(x)·W in the neuron bases, in float64.
 *
 * The rotation on the other side cancels (JJᵀ = R_k·D·W·R_{k−1}ᵀR_{k−1}·Wᵀ·D·R_kᵀ), so
 * these are the matrices whose eigenbases are candidates for R_k or R_{k−1} whatever the
 * neighbouring bases. Because D is diagonal they have closed forms, computed from the
 * derivative rows chunk by chunk (`forEachChunk`) with no Jacobian materialised:
 *   mean JJᵀ = (W·Wᵀ) ∘ mean_x(d_x·d_xᵀ),   mean JᵀJ = Wᵀ·diag(mean_x d_x²)·W,
 * O(n·d_out² + d_out²·d_in) instead of the O(n·d_out²·d_in) of forming every J
 * (the tests check them against `RotatedLayer.jacobians`). The logit layer (D = I) gives
 * W·Wᵀ and Wᵀ·W.
 */
export function meanJacobianGram(data: LayerData, side: LayerSide): Mat {
  const { outDim: m, inDim: k, weight: w } = data
  if (side === 'out') {
    const dd = new Float64Array(m * m)
    let count = 0
    forEachChunk(data, (d, c) => {
      count += c
      if (!d) {
        dd.fill(1)
        return
      }
      for (let x = 0; x < c; x++) {
        const base = x * m
        for (let i = 0; i < m; i++) {
          const di = d[base + i]
          if (di === 0) continue
          for (let j = i; j < m; j++) dd[i * m + j] += di * d[base + j]
        }
      }
    })
    const g = mat(m, m)
    for (let i = 0; i < m; i++) {
      for (let j = i; j < m; j++) {
        let s = 0
        for (let c = 0; c < k; c++) s += w[i * k + c] * w[j * k + c]
        const e = data.derivatives ? dd[i * m + j] / count : 1
        g.data[i * m + j] = s * e
        g.data[j * m + i] = s * e
      }
    }
    return g
  }
  const d2 = new Float64Array(m)
  let count = 0
  forEachChunk(data, (d, c) => {
    count += c
    if (!d) {
      d2.fill(1)
      return
    }
    for (let x = 0; x < c; x++) for (let i = 0; i < m; i++) d2[i] += d[x * m + i] ** 2
  })
  if (data.derivatives) for (let i = 0; i < m; i++) d2[i] /= count
  const g = mat(k, k)
  for (let r = 0; r < m; r++) {
    const s = d2[r]
    if (s === 0) continue
    for (let i = 0; i < k; i++) {
      const wi = s * w[r * k + i]
      if (wi === 0) continue
      for (let j = i; j < k; j++) g.data[i * k + j] += wi * w[r * k + j]
    }
  }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) g.data[j * k + i] = g.data[i * k + j]
  return g
}

/**
 * The eigenbasis of mean JJᵀ (side 'out', a candidate R_k) or mean JᵀJ (side 'in', a
 * candidate R_{k−1}): rows are eigenvectors, by descending eigenvalue (the directions the
 * layer's Jacobian uses most come first), each signed so its largest entry is positive.
 */
export function jtjEigenbasis(data: LayerData, side: LayerSide): Mat {
  return canonicalSigns(symmetricEigen(meanJacobianGram(data, side)).vectors)
}
