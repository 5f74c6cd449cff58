import { beforeAll, describe, expect, it } from 'vitest'
import { layerOf } from '../../../test/helpers/fixtures.ts'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { initCompute } from '../../backend/compute.ts'
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
import {
  l4Rotation,
  meanAbsJacobian,
  meanJacobian,
  stackedJacobians,
  varimaxRotation,
} from './varimax.ts'

beforeAll(async () => {
  await initCompute()
})

/** Whether R·Qᵀ is a signed permutation (every row has an entry of magnitude ≈ 1). */
function isSignedPermutationOf(r: Mat, q: Mat, tol: number): boolean {
  const c = matmulNT(r, q)
  const n = c.rows
  const used = new Set<number>()
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let j = 1; j < n; j++)
      if (Math.abs(c.data[i * n + j]) > Math.abs(c.data[i * n + best])) best = j
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
    for (let i = 1; i < values.length; i++)
      expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] - 1e-14)
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

describe('the matrices varimax is fitted to, against explicit Jacobians', () => {
  const rng = createRng(8)
  const n = 9
  const w = mat(
    4,
    6,
    Array.from({ length: 24 }, () => rng.normal()),
  )
  const d = Float32Array.from({ length: n * 4 }, () => (rng.next() < 0.3 ? 0 : rng.next()))
  const data = layerOf(w, d, n)
  const rIn = haarRotation(6, rng)
  const rOut = haarRotation(4, rng)

  /** The n Jacobians J(x) = R_out·D·W·R_inᵀ from RotatedLayer. */
  function jacobians(rI: Mat | null, rO: Mat | null): Mat[] {
    const layer = new RotatedLayer(data, rI, rO)
    const out: Mat[] = []
    forEachChunk(data, (dd, c) => {
      const j = layer.jacobians(dd, c)
      for (let x = 0; x < c; x++) out.push(mat(4, 6, j.subarray(x * 24, (x + 1) * 24)))
    })
    layer.dispose()
    return out
  }
  const mean = (js: Mat[], f: (v: number) => number): Mat =>
    mat(
      4,
      6,
      js[0].data.map((_, e) => js.reduce((s, j) => s + f(j.data[e]), 0) / js.length),
    )

  it('meanJacobian = E[J] (side in: transposed)', () => {
    const tol = { atol: 1e-5 }
    expectAllClose(
      meanJacobian(data, 'out', rIn).data,
      mean(jacobians(rIn, null), (v) => v).data,
      tol,
    )
    expectAllClose(
      meanJacobian(data, 'in', rOut).data,
      transpose(mean(jacobians(null, rOut), (v) => v)).data,
      tol,
    )
  })

  it('meanAbsJacobian = E|J| (side in: transposed)', () => {
    const tol = { atol: 1e-5 }
    expectAllClose(
      meanAbsJacobian(data, 'out', rIn).data,
      mean(jacobians(rIn, null), Math.abs).data,
      tol,
    )
    expectAllClose(
      meanAbsJacobian(data, 'out', null).data,
      mean(jacobians(null, null), Math.abs).data,
      tol,
    )
    expectAllClose(
      meanAbsJacobian(data, 'in', rOut).data,
      transpose(mean(jacobians(null, rOut), Math.abs)).data,
      tol,
    )
    expectAllClose(
      meanAbsJacobian(data, 'in', null).data,
      transpose(mean(jacobians(null, null), Math.abs)).data,
      tol,
    )
  })

  it('stackedJacobians: Σ (R·M)⁴ = Σ_x ‖R·J(x)‖₄⁴ on the sampled inputs', () => {
    const r4 = haarRotation(4, createRng(1))
    const r6 = haarRotation(6, createRng(2))
    const l4 = (m: Mat): number => m.data.reduce((s, v) => s + v ** 4, 0)
    const all = jacobians(rIn, null)
    const mOut = stackedJacobians(data, 'out', rIn, n)
    expect([mOut.rows, mOut.cols]).toEqual([4, 6 * n])
    expectClose(
      l4(matmul(r4, mOut)),
      all.reduce((s, j) => s + l4(matmul(r4, j)), 0),
      {
        rtol: 1e-10,
      },
    )
    const allIn = jacobians(null, rOut)
    const mIn = stackedJacobians(data, 'in', rOut, n)
    expectClose(
      l4(matmul(r6, mIn)),
      allIn.reduce((s, j) => s + l4(matmul(r6, transpose(j))), 0),
      { rtol: 1e-10 },
    )
    // A subsample: every third input here.
    const sub = stackedJacobians(data, 'out', rIn, 3)
    const picked = [0, 3, 6].map((x) => all[x])
    expectClose(
      l4(matmul(r4, sub)),
      picked.reduce((s, j) => s + l4(matmul(r4, j)), 0),
      {
        rtol: 1e-10,
      },
    )
  })
})

describe('varimaxRotation on planted layers', () => {
  it('side in: W = S·Q with one nonzero per row of S; R_in = Q makes every J(x) sparse', () => {
    // J(x)·R_inᵀ = D(x)·S·Q·R_inᵀ: R_in = Q leaves D(x)·S, sparse for any D.
    const rng = createRng(11)
    const [outDim, inDim, n] = [24, 6, 40]
    const sparse = zeros(outDim, inDim)
    for (let r = 0; r < outDim; r++) {
      sparse.data[r * inDim + (r % inDim)] = (rng.next() < 0.5 ? -1 : 1) * (0.5 + rng.next())
    }
    const q = haarRotation(inDim, rng)
    const d = Float32Array.from({ length: n * outDim }, () => (rng.next() < 0.5 ? 0 : 1))
    const data = layerOf(matmul(sparse, q), d, n)
    for (const source of ['mean', 'stacked'] as const) {
      const res = varimaxRotation(data, 'in', null, { source })
      expect(orthogonalityError(res.rotation)).toBeLessThan(1e-10)
      expect(isSignedPermutationOf(res.rotation, q, 1e-5), source).toBe(true)
    }
    // mean |J| discards the signs that the rotation acts on: it finds another basis.
    const abs = varimaxRotation(data, 'in', null, { source: 'mean-abs' })
    expect(orthogonalityError(abs.rotation)).toBeLessThan(1e-10)
    expect(isSignedPermutationOf(abs.rotation, q, 1e-2)).toBe(false)
  })

  it('side out: W = Qᵀ·S with one nonzero per column of S and D(x) = c_x·I', () => {
    const rng = createRng(12)
    const [outDim, inDim, n] = [6, 30, 20]
    const { m: w, q } = plantedDisjoint(outDim, inDim, 13)
    const d = new Float32Array(n * outDim)
    for (let x = 0; x < n; x++) d.fill(0.2 + rng.next(), x * outDim, (x + 1) * outDim)
    const data = layerOf(w, d, n)
    for (const source of ['mean', 'stacked'] as const) {
      const res = varimaxRotation(data, 'out', null, { source })
      expect(isSignedPermutationOf(res.rotation, q, 1e-5), source).toBe(true)
    }
  })
})
