import { optimizerDefaults } from '../../api/config/optimizer.ts'
import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { frobenius, identity, orthogonalityError, sub } from '../../linalg/matrix.ts'
import { riemannianCg } from './riemannian-cg.ts'
import { rgdArmijo } from './riemannian-gd.ts'
import {
  plantedSparseProblem,
  plantedStart,
  procrustesProblem,
  testHooks,
  testRules,
} from '../../../test/helpers/synthetic-problems.ts'

describe('rcg', () => {
  it('has the documented defaults', () => {
    expect(optimizerDefaults('rcg')).toEqual({
      alpha0: 1,
      c: 1e-4,
      maxHalvings: 30,
      restartEvery: null,
      batchSize: null,
    })
  })

  it('takes the same first step as rgd-armijo (β = 0, α = alpha0/‖Ω‖)', async () => {
    const { syn: a, init } = plantedStart(8, 30, 2, 2, { initSeed: 5 })
    const b = plantedSparseProblem(8, 30, 2, 2)
    const ra = await riemannianCg().optimize(
      a.problem,
      [init],
      testRules({ maxSteps: 1 }),
      testHooks(),
    )
    const rb = await rgdArmijo().optimize(
      b.problem,
      [init],
      testRules({ maxSteps: 1 }),
      testHooks(),
    )
    expectAllClose(ra.rotations[0].data, rb.rotations[0].data, { atol: 1e-15 })
    expect(a.evaluations()).toEqual(b.evaluations())
  })

  it('needs far fewer steps than gradient descent on an ill-conditioned problem', async () => {
    const tol = testRules({ maxSteps: 20_000, gradTol: 1e-4 })
    const cg = procrustesProblem(10, 300, 3)
    const gd = procrustesProblem(10, 300, 3)
    const rc = await riemannianCg().optimize(cg.problem, [identity(10)], tol, testHooks())
    const rg = await rgdArmijo().optimize(gd.problem, [identity(10)], tol, testHooks())
    expect(rc.stopReason).toBe('tolerance')
    expect(rg.stopReason).toBe('tolerance')
    expect(rc.steps * 3).toBeLessThan(rg.steps)
    expect(frobenius(sub(rc.rotations[0], cg.q))).toBeLessThan(1e-4)
    expectClose(cg.f(rc.rotations[0]), cg.fStar, { rtol: 1e-10 })
    // Restarting every step degrades it to (a variant of) gradient descent.
    const sd = procrustesProblem(10, 300, 3)
    const rs = await riemannianCg({ restartEvery: 1 }).optimize(
      sd.problem,
      [identity(10)],
      tol,
      testHooks(),
    )
    expect(rc.steps * 1.5).toBeLessThan(rs.steps)
  })

  it('decreases f monotonically, stays orthogonal, and reaches the planted level', async () => {
    for (const seed of [1, 4]) {
      const { syn, init } = plantedStart(16, 64, 2, seed)
      const res = await riemannianCg().optimize(
        syn.problem,
        [init],
        testRules({ maxSteps: 600 }),
        testHooks(),
      )
      const values = res.history.map((h) => h.value)
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1])
      expect(syn.f(res.rotations[0]), `seed ${seed}`).toBeLessThanOrEqual(1.01 * syn.f(syn.q))
      expect(syn.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
      expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    }
  })

  it('ends as converged when the gradient direction can no longer decrease f', async () => {
    const p = procrustesProblem(6, 10, 4)
    const res = await riemannianCg().optimize(
      p.problem,
      [identity(6)],
      testRules({ maxSteps: 100_000 }),
      testHooks(),
    )
    expect(res.stopReason).toBe('tolerance')
    expect(res.steps).toBeLessThan(500)
    expect(frobenius(sub(res.rotations[0], p.q))).toBeLessThan(1e-4)
  })
})
