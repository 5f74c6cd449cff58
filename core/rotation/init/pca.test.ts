import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { identity, matmulNT, orthogonalityError } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { haarRotation } from '../retraction.ts'
import { covariance, pcaRotation } from './pca.ts'

/**
 * 2·d points μ ± √d·σ_k·q_k: mean μ and covariance exactly Σ_k σ_k²·q_k·q_kᵀ, so the
 * principal axes are the rows of Q, in order of σ.
 */
function axisData(sigma: readonly number[], seed: number, offset = 0) {
  const d = sigma.length
  const q = haarRotation(d, createRng(seed))
  const x = new Float32Array(2 * d * d)
  for (let k = 0; k < d; k++) {
    for (let j = 0; j < d; j++) {
      const v = Math.sqrt(d) * sigma[k] * q.data[k * d + j]
      x[2 * k * d + j] = offset + v
      x[(2 * k + 1) * d + j] = offset - v
    }
  }
  return { x, n: 2 * d, q }
}

describe('pcaRotation', () => {
  it('recovers the principal axes of data with a known covariance, by descending variance', () => {
    const sigma = [3, 2.5, 2, 1.5, 1, 0.5]
    const { x, n, q } = axisData(sigma, 4, 0.75)
    const r = pcaRotation(x, n, 6)
    expect(orthogonalityError(r)).toBeLessThan(1e-10)
    // R·Qᵀ = diag(±1): row i of R is ±q_i.
    const c = matmulNT(r, q)
    expectAllClose(c.data.map(Math.abs), identity(6).data, { atol: 1e-6 })
    // The covariance in the new basis is diag(σ²), descending.
    const cov = covariance(x, n, 6)
    const rotated = matmulNT(matmulNT(r, cov), r)
    for (let i = 0; i < 6; i++) expectClose(rotated.data[i * 6 + i], sigma[i] ** 2, { rtol: 1e-6 })
  })

  it('signs each direction so its largest entry is positive', () => {
    const { x, n } = axisData([2, 1.5, 1, 0.5], 7)
    const r = pcaRotation(x, n, 4)
    for (let i = 0; i < 4; i++) {
      const row = Array.from(r.data.slice(i * 4, i * 4 + 4))
      const big = row.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0)
      expect(big).toBeGreaterThan(0)
    }
  })

  it('centers by default; center: false uses the raw second moment', () => {
    const { x, n } = axisData([2, 1, 0.5], 9, 5)
    const cov = covariance(x, n, 3)
    const raw = covariance(x, n, 3, { center: false })
    // E[aaᵀ] = Σ + μμᵀ with μ = (5, 5, 5).
    for (let i = 0; i < 9; i++) expectClose(raw.data[i] - cov.data[i], 25, { rtol: 1e-6 })
  })

  it('rejects a length that is not n × dim', () => {
    expect(() => pcaRotation(new Float32Array(7), 2, 4)).toThrow(/7 values/)
  })
})
