import { beforeAll, describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { initBackend } from '../../backend/tf.ts'
import type { LayerData } from '../../jacobian/layer-data.ts'
import { RotatedLayer, forEachChunk } from '../../jacobian/rotated.ts'
import {
  type Mat,
  identity,
  mat,
  matmul,
  matmulNT,
  matmulTN,
  orthogonalityError,
  transpose,
  zeros,
} from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { haarRotation } from '../retraction.ts'
import { l4Rotation, meanAbsJacobian, varimaxRotation } from './varimax.ts'

beforeAll(async () => {
  await initBackend()
})

/** Whether R·Qᵀ is a signed permutation (every row has an entry of magnitude ≈ 1). */
function isSignedPermutationOf(r: Mat, q: Mat, tol: number): boolean {
  const c = matmulNT(r, q)
  const n = c.rows
  const used = new Set<number>()
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let j = 1; j < n; j++) if (Math.abs(c.data[i * n + j]) > Math.abs(c.data[i * n + best])) best = j
    if (Math.abs(c.data[i * n + best]) < 1 - tol || used.has(best)) return false
    used.add(best)
  }
  return true
}

/** M = Qᵀ·S with S (n × p) one nonzero per column, the rows' supports disjoint. */
function plantedDisjoint(n: number, p: number, seed: number) {
  const rng = createRng(seed)
  const s = zeros(n, p)
  for (let c = 0; c < p; c++) {
    s.data[rng.int(n) * p + c] = (rng.next() < 0.5 ? -1 : 1) * (0.5 + rng.next())
  }
  const q = haarRotation(n, rng)
  return { m: matmulTN(q, s), q, s }
}

describe('l4Rotation', () => {
  it.each([
    [8, 40, 0],
    [16, 64, 0],
    [16, 64, 1],
    [24, 96, 0],
  ])('recovers Q from M = Qᵀ·S (n %i, p %i, γ %i) up to sign and permutation', (n, p, gamma) => {
    for (const seed of [1, 2, 3]) {
      const { m, q } = plantedDisjoint(n, p, seed * 10 + n)
      const res = l4Rotation(m, { gamma })
      expect(res.converged).toBe(true)
      expect(orthogonalityError(res.rotation)).toBeLessThan(1e-10)
      expect(isSignedPermutationOf(res.rotation, q, 1e-8), `seed ${seed}`).toBe(true)
    }
  })

  it('never decreases the criterion, and its maximum is the planted one', () => {
    const { m, q } = plantedDisjoint(10, 50, 4)
    const values: number[] = []
    let r = identity(10)
    for (let it = 0; it < 15; it++) {
      const step = l4Rotation(m, { start: r, maxIterations: 1 })
      values.push(step.objective)
      r = step.rotation
    }
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] - 1e-14)
    const atQ = l4Rotation(m, { start: q, maxIterations: 1 })
    expectClose(values.at(-1)!, atQ.objective, { rtol: 1e-10 })
  })

  it('starts where it is told to: a fixed point stays put', () => {
    const { m, q } = plantedDisjoint(6, 30, 5)
    const res = l4Rotation(m, { start: q })
    expect(res.iterations).toBeLessThanOrEqual(2)
    expectAllClose(res.rotation.data, q.data, { atol: 1e-10 })
  })
})

function layerOf(w: Mat, derivatives: Float32Array | null, n: number): LayerData {
  return { layer: 1, inDim: w.cols, outDim: w.rows, weight: Float32Array.from(w.data), derivatives, n }
}

describe('meanAbsJacobian and varimaxRotation on layer data', () => {
  const rng = createRng(8)
  const n = 9
  const w = mat(4, 6, Array.from({ length: 24 }, () => rng.normal()))
  const d = Float32Array.from({ length: n * 4 }, () => (rng.next() < 0.3 ? 0 : rng.next()))

  function explicit(rIn: Mat | null, rOut: Mat | null): Mat {
    const data = layerOf(w, d, n)
    const layer = new RotatedLayer(data, rIn, rOut)
    const acc = new Float64Array(24)
    forEachChunk(data, (dd, c) => {
      const j = layer.jacobians(dd, c)
      for (let e = 0; e < j.length; e++) acc[e % 24] += Math.abs(j[e])
    })
    layer.dispose()
    return mat(4, 6, acc.map((v) => v / n))
  }

  it('equals mean |J| of the explicit Jacobians (rows = the side being rotated)', () => {
    const data = layerOf(w, d, n)
    const rIn = haarRotation(6, rng)
    const rOut = haarRotation(4, rng)
    expectAllClose(meanAbsJacobian(data, 'out', rIn).data, explicit(rIn, null).data, {
      atol: 1e-5,
    })
    expectAllClose(meanAbsJacobian(data, 'out', null).data, explicit(null, null).data, {
      atol: 1e-5,
    })
    expectAllClose(
      meanAbsJacobian(data, 'in', rOut).data,
      transpose(explicit(null, rOut)).data,
      { atol: 1e-5 },
    )
    expectAllClose(
      meanAbsJacobian(data, 'in', null).data,
      transpose(explicit(null, null)).data,
      { atol: 1e-5 },
    )
  })

  it('recovers a planted output basis: W = Qᵀ·S with disjoint rows, D(x) = c_x·I', () => {
    const { m: wq, q } = plantedDisjoint(5, 20, 9)
    // With D = c·I, J = c·Qᵀ·S and the output rotation R = Q makes every J(x) sparse;
    // mean |J| in the neuron basis is E|c|·|Qᵀ·S|, and ℓ4 on it is not the same problem,
    // so check the exact case: the logit layer (D = I) whose mean |J| is |W|… rotated.
    const data = layerOf(wq, null, 1)
    const m = meanAbsJacobian(data, 'out', null)
    expectAllClose(m.data, wq.data.map(Math.abs), { atol: 1e-6 })
    // The ℓ4 rotation of W itself (signed) recovers Q; that of |W| generally does not.
    expect(isSignedPermutationOf(l4Rotation(mat(5, 20, Float32Array.from(wq.data))).rotation, q, 1e-5)).toBe(true)
    expect(orthogonalityError(varimaxRotation(data, 'out', null))).toBeLessThan(1e-10)
    expect(matmul(q, identity(5)).rows).toBe(5)
  })
})
