import { optimizerDefaults } from '../../api/config/optimizer.ts'
import { describe, expect, it } from 'vitest'
import { expectAllClose } from '../../../test/helpers/tolerance.ts'
import {
  type Mat,
  axpby,
  clone,
  frobenius,
  identity,
  matmul,
  matmulNT,
  orthogonalityError,
  sub,
  zeros,
} from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import type { RotationProblem } from '../problem.ts'
import { haarRotation } from '../retraction.ts'
import { landing } from './landing.ts'
import {
  plantedStart,
  procrustesProblem,
  testHooks,
  testRules,
} from '../../../test/helpers/synthetic-problems.ts'
import { asSpaces } from '../../model/indices.ts'

/** ‖XXᵀ − I‖_F */
const distance = (x: Mat): number => frobenius(axpby(1, matmulNT(x, x), -1, identity(x.rows)))

describe('landing', () => {
  it('has the documented defaults', () => {
    expect(optimizerDefaults('landing')).toEqual({
      lr: 0.01,
      finalLrFraction: 0.05,
      beta1: 0.9,
      beta2: 0.999,
      attraction: 0.5,
      epsilon: 0.5,
      batchSize: 64,
    })
  })

  it('with a zero gradient, lands by Newton–Schulz steps X ← X − ½(XXᵀ − I)X', async () => {
    const n = 5
    const seen: Mat[] = []
    const flat: RotationProblem = {
      free: asSpaces(1),
      dims: [n],
      nSamples: 1,
      evaluate(rotations, options) {
        seen.push(rotations[0])
        return { value: 0, perLayer: [0], grads: options.grad ? [zeros(n, n)] : null }
      },
    }
    // Off the manifold, but inside the safe region: singular values 0.9 … 1.1.
    const q = haarRotation(n, createRng(2))
    const x0 = clone(q)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) x0.data[i * n + j] *= 0.9 + 0.05 * i
    // gradTol −1: never met, so the (zero-gradient) steps are taken.
    const res = await landing({ batchSize: null }).optimize(
      flat,
      [x0],
      testRules({ maxSteps: 6, gradTol: -1 }),
      testHooks(),
    )
    const ns = (x: Mat): Mat =>
      axpby(1, x, -0.5, matmul(axpby(1, matmulNT(x, x), -1, identity(n)), x))
    expectAllClose(seen[1].data, ns(x0).data, { atol: 1e-15 })
    // Quadratic convergence: d_{k+1} ≲ d_k².
    const d = seen.map(distance)
    for (let k = 1; k < 4; k++) expect(d[k]).toBeLessThan(2 * d[k - 1] ** 2)
    expect(d[5]).toBeLessThan(1e-14)
    expect(orthogonalityError(res.rotations[0])).toBeLessThan(1e-14)
  })

  it('solves Procrustes with infeasible iterates, inside the safe region, ending orthogonal', async () => {
    const p = procrustesProblem(10, 30, 3)
    const res = await landing({ lr: 0.05, batchSize: null }).optimize(
      p.problem,
      [identity(10)],
      testRules({ maxSteps: 5000, gradTol: 1e-8 }),
      testHooks(),
    )
    expect(res.stopReason).toBe('tolerance')
    expect(frobenius(sub(res.rotations[0], p.q))).toBeLessThan(1e-7)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    // Iterates are off O(n) (retraction-free) but within ε = 0.5 of it.
    expect(p.worstOrthogonality()).toBeGreaterThan(1e-3)
    expect(p.worstOrthogonality()).toBeLessThanOrEqual(0.5)
    // Matmuls and the objective's gradient only: no value-only evaluations.
    expect(p.evaluations().withoutGrad).toBe(0)
  })

  it('keeps every iterate inside a tight safe region by shrinking the tangent step', async () => {
    const { syn, init } = plantedStart(12, 60, 2, 1)
    const res = await landing({ lr: 0.2, epsilon: 0.05, batchSize: null }).optimize(
      syn.problem,
      [init],
      testRules({ maxSteps: 100 }),
      testHooks(),
    )
    // max |XᵀX − I| ≤ ‖XXᵀ − I‖_F ≤ ε (the two Gram matrices share their spectrum).
    expect(syn.worstOrthogonality()).toBeLessThanOrEqual(0.05)
    expect(syn.f(res.rotations[0])).toBeLessThan(syn.f(init))
  })

  it('finds a rotation at least as sparse as the planted one from random starts', async () => {
    for (const seed of [1, 3, 4]) {
      const { syn, init } = plantedStart(16, 64, 2, seed)
      const res = await landing({ lr: 0.05, finalLrFraction: 0.01, batchSize: null }).optimize(
        syn.problem,
        [init],
        testRules({ maxSteps: 400 }),
        testHooks(),
      )
      expect(syn.f(res.rotations[0]), `seed ${seed}`).toBeLessThanOrEqual(1.01 * syn.f(syn.q))
      expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    }
  })

  it('makes progress on minibatches', async () => {
    const { syn, init } = plantedStart(12, 64, 2, 2, { samples: 16, initSeed: 7 })
    const res = await landing({ lr: 0.05, batchSize: 4 }).optimize(
      syn.problem,
      [init],
      testRules({ maxSteps: 300 }),
      testHooks(),
    )
    expect(syn.f(res.rotations[0])).toBeLessThan(0.7 * syn.f(init))
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
  })
})
