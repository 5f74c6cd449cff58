import { rotatedActivations } from '../analysis/activations.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import { symmetricEigen } from '../linalg/eigen.ts'
import { type Mat, mat } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { Rng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import type { BaselineName } from './analyses.ts'

/**
 * Simple bases to hold a learned one against, one per activation space (null = the
 * identity, for spaces the run keeps fixed): a random Haar rotation; PCA of the
 * activations (descending variance); the eigenbasis of the mean J_k·J_kᵀ of the layer
 * that writes the space, in the neuron basis (the directions its Jacobians use most).
 */
export function baselineBases(
  name: Exclude<BaselineName, 'neuron'>,
  params: MlpParams,
  free: readonly number[],
  objectiveData: readonly LayerData[],
  xTrain: Float32Array,
  samples: number,
  rng: Rng,
): (Mat | null)[] {
  return params.sizes.map((d, space) => {
    if (!free.includes(space)) return null
    if (name === 'random') return haarRotation(d, rng.fork(`space-${space}`))
    if (name === 'pca') {
      const a = rotatedActivations(
        params,
        null,
        space,
        xTrain.subarray(0, samples * params.sizes[0]),
        samples,
      )
      return symmetricEigen(covariance(a, samples, d)).vectors
    }
    // jtj: the writing layer's mean J·Jᵀ; for the pixel space (no writer), the reading layer's JᵀJ.
    return symmetricEigen(
      space > 0 ? meanOuter(objectiveData[space - 1], 'out') : meanOuter(objectiveData[0], 'in'),
    ).vectors
  })
}

function covariance(a: Float32Array, n: number, d: number): Mat {
  const mean = new Float64Array(d)
  for (let x = 0; x < n; x++) for (let j = 0; j < d; j++) mean[j] += a[x * d + j] / n
  const c = new Float64Array(d * d)
  for (let x = 0; x < n; x++) {
    for (let i = 0; i < d; i++) {
      const ai = a[x * d + i] - mean[i]
      if (ai === 0) continue
      for (let j = 0; j < d; j++) c[i * d + j] += (ai * (a[x * d + j] - mean[j])) / n
    }
  }
  return mat(d, d, c)
}

/**
 * mean_x J·Jᵀ ('out', d_out × d_out) or mean_x Jᵀ·J ('in', d_in × d_in) in the neuron
 * bases, without forming a single Jacobian: with J(x) = D(x)·W,
 *   mean J·Jᵀ = (W·Wᵀ) ⊙ mean_x d(x)·d(x)ᵀ   and   mean Jᵀ·J = Wᵀ·diag(mean_x d(x)²)·W.
 */
function meanOuter(data: LayerData, side: 'in' | 'out'): Mat {
  const { outDim, inDim, weight: w } = data
  const n = data.derivatives ? data.n : 1
  const dv = data.derivatives ?? new Float32Array(outDim).fill(1)
  if (side === 'out') {
    const dd = new Float64Array(outDim * outDim)
    for (let x = 0; x < n; x++) {
      for (let a = 0; a < outDim; a++) {
        const da = dv[x * outDim + a]
        if (da === 0) continue
        for (let b = 0; b < outDim; b++) dd[a * outDim + b] += (da * dv[x * outDim + b]) / n
      }
    }
    const g = new Float64Array(outDim * outDim)
    for (let a = 0; a < outDim; a++) {
      for (let b = a; b < outDim; b++) {
        let s = 0
        for (let c = 0; c < inDim; c++) s += w[a * inDim + c] * w[b * inDim + c]
        g[a * outDim + b] = g[b * outDim + a] = s
      }
    }
    return mat(
      outDim,
      outDim,
      g.map((v, e) => v * dd[e]),
    )
  }
  const d2 = new Float64Array(outDim)
  for (let x = 0; x < n; x++) for (let a = 0; a < outDim; a++) d2[a] += dv[x * outDim + a] ** 2 / n
  const g = new Float64Array(inDim * inDim)
  for (let r = 0; r < outDim; r++) {
    for (let a = 0; a < inDim; a++) {
      const v = w[r * inDim + a] * d2[r]
      if (v === 0) continue
      for (let b = 0; b < inDim; b++) g[a * inDim + b] += v * w[r * inDim + b]
    }
  }
  return mat(inDim, inDim, g)
}
