import { symmetricEigen } from '../../linalg/eigen.ts'
import { type Mat, mat } from '../../linalg/matrix.ts'
import { canonicalSigns } from './canonical.ts'

export interface PcaOptions {
  /** Subtract the mean first (the covariance); false uses the raw second moment E[aaᵀ]. */
  readonly center?: boolean
}

/**
 * The PCA basis of some activations: rows are the eigenvectors of their covariance
 * (float64 accumulation), in order of descending variance, each signed so its largest
 * entry is positive. As a rotation, ã = R·a gives the principal-component scores.
 * `activations` is [n × dim] row-major.
 */
export function pcaRotation(
  activations: Float32Array,
  n: number,
  dim: number,
  options: PcaOptions = {},
): Mat {
  if (activations.length !== n * dim) {
    throw new Error(`pcaRotation: ${activations.length} values for ${n} × ${dim} activations`)
  }
  return canonicalSigns(symmetricEigen(covariance(activations, n, dim, options)).vectors)
}

/** (1/n)·Σ (a − μ)(a − μ)ᵀ over the rows, in float64 (μ = 0 when center is false). */
export function covariance(
  activations: Float32Array,
  n: number,
  dim: number,
  options: PcaOptions = {},
): Mat {
  const center = options.center ?? true
  const mean = new Float64Array(dim)
  if (center && n > 0) {
    for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j] += activations[r * dim + j]
    for (let j = 0; j < dim; j++) mean[j] /= n
  }
  const c = mat(dim, dim)
  const row = new Float64Array(dim)
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) row[j] = activations[r * dim + j] - mean[j]
    for (let i = 0; i < dim; i++) {
      const ai = row[i]
      if (ai === 0) continue
      const base = i * dim
      for (let j = i; j < dim; j++) c.data[base + j] += ai * row[j]
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = n > 0 ? c.data[i * dim + j] / n : 0
      c.data[i * dim + j] = v
      c.data[j * dim + i] = v
    }
  }
  return c
}
