import { beforeAll, describe, expect, it } from 'vitest'
import { diag, layerOf } from '../../../test/helpers/fixtures.ts'
import { expectAllClose } from '../../../test/helpers/tolerance.ts'
import { initCompute } from '../../backend/compute.ts'
import type { LayerData } from '../../jacobian/layer-data.ts'
import { RotatedLayer, forEachChunk } from '../../jacobian/rotated.ts'
import {
  type Mat,
  frobenius,
  identity,
  mat,
  matmul,
  matmulNT,
  matmulTN,
  orthogonalityError,
  zeros,
} from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { haarRotation } from '../retraction.ts'
import { jtjEigenbasis, meanJacobianGram } from './jtj-eigenbasis.ts'

beforeAll(async () => {
  await initCompute()
})

/** W = Uᵀ·Σ·V (d_out × d_in): its left/right singular vectors are the rows of U and V. */
function plantedWeight(sigma: readonly number[], outDim: number, inDim: number, seed: number) {
  const rng = createRng(seed)
  const u = haarRotation(outDim, rng)
  const v = haarRotation(inDim, rng)
  const s = zeros(outDim, inDim)
  sigma.forEach((x, i) => (s.data[i * inDim + i] = x))
  return { u, v, w: matmul(matmulTN(u, s), v) }
}

/** Explicit mean of JJᵀ or JᵀJ from RotatedLayer's float32 Jacobians, chunk by chunk. */
function explicitGram(data: LayerData, rIn: Mat | null, rOut: Mat | null, side: 'in' | 'out') {
  const { outDim: m, inDim: k } = data
  const size = side === 'out' ? m : k
  const acc = new Float64Array(size * size)
  const layer = new RotatedLayer(data, rIn, rOut)
  let count = 0
  forEachChunk(
    data,
    (d, c) => {
      const j = layer.jacobians(d, c)
      count += c
      for (let x = 0; x < c; x++) {
        const jx = mat(m, k, j.subarray(x * m * k, (x + 1) * m * k))
        const g = side === 'out' ? matmulNT(jx, jx) : matmulTN(jx, jx)
        for (let e = 0; e < g.data.length; e++) acc[e] += g.data[e]
      }
    },
    4 * m * k, // small chunks, to exercise the chunking
  )
  layer.dispose()
  return mat(
    size,
    size,
    acc.map((v) => v / count),
  )
}

describe('jtj eigenbasis', () => {
  it('matches the explicit mean of JJᵀ / JᵀJ over RotatedLayer Jacobians', () => {
    const rng = createRng(3)
    const n = 13
    const { w } = plantedWeight([2, 1.5, 1, 0.7, 0.3], 5, 7, 1)
    const d = Float32Array.from({ length: n * 5 }, () => (rng.next() < 0.3 ? 0 : rng.next()))
    const data = layerOf(w, d, n)
    // The rotation on the other side cancels; the own side's enters as R·G·Rᵀ.
    const rIn = haarRotation(7, rng)
    const rOut = haarRotation(5, rng)
    const gOut = meanJacobianGram(data, 'out')
    const gIn = meanJacobianGram(data, 'in')
    const scale = frobenius(gOut)
    expectAllClose(explicitGram(data, rIn, null, 'out').data, gOut.data, { atol: 1e-6 * scale })
    expectAllClose(
      explicitGram(data, rIn, rOut, 'out').data,
      matmulNT(matmul(rOut, gOut), rOut).data,
      { atol: 1e-6 * scale },
    )
    expectAllClose(explicitGram(data, rIn, rOut, 'in').data, matmulNT(matmul(rIn, gIn), rIn).data, {
      atol: 1e-6 * scale,
    })
  })

  it('handles the logit layer (D = I): W·Wᵀ and Wᵀ·W', () => {
    const { w } = plantedWeight([3, 2, 1], 3, 4, 2)
    const data = layerOf(w, null, 1)
    const wf = mat(3, 4, Float32Array.from(w.data))
    expectAllClose(meanJacobianGram(data, 'out').data, matmulNT(wf, wf).data, { atol: 1e-12 })
    expectAllClose(meanJacobianGram(data, 'in').data, matmulTN(wf, wf).data, { atol: 1e-12 })
  })

  it('recovers the planted singular bases of W when D(x) = c_x·I', () => {
    // mean JJᵀ = E[c²]·W·Wᵀ = E[c²]·Uᵀ·Σ²·U and mean JᵀJ = E[c²]·Vᵀ·Σ²·V: the eigenbases
    // are the rows of U (output side) and of V (input side), by descending σ.
    const rng = createRng(5)
    const n = 20
    const { u, v, w } = plantedWeight([4, 3, 2, 1], 4, 6, 3)
    const d = new Float32Array(n * 4)
    for (let x = 0; x < n; x++) d.fill(0.5 + rng.next(), x * 4, (x + 1) * 4)
    const data = layerOf(w, d, n)
    const rOut = jtjEigenbasis(data, 'out')
    const rIn = jtjEigenbasis(data, 'in')
    expect(orthogonalityError(rOut)).toBeLessThan(1e-10)
    expect(orthogonalityError(rIn)).toBeLessThan(1e-10)
    expectAllClose(matmulNT(rOut, u).data.map(Math.abs), identity(4).data, { atol: 1e-5 })
    // The input side has 4 planted directions and a 2-dimensional null space.
    const cIn = matmulNT(rIn, v)
    for (let i = 0; i < 4; i++) expect(Math.abs(cIn.data[i * 6 + i])).toBeGreaterThan(1 - 1e-5)
    // Eigenvalues descend: the rotated Gram is diagonal with a decreasing diagonal.
    const g = matmulNT(matmul(rOut, meanJacobianGram(data, 'out')), rOut)
    const expected = diag([16, 9, 4, 1].map((s) => (s * g.data[0]) / 16))
    expectAllClose(g.data, expected.data, { atol: 1e-5 * g.data[0] })
  })
})
