import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { frobenius, identity, orthogonalityError, sub } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { haarRotation } from '../retraction.ts'
import type { StoppingRules } from './optimizer.ts'
import { RCG_DEFAULTS, riemannianCg } from './riemannian-cg.ts'
import { rgdArmijo } from './riemannian-gd.ts'
import { plantedSparseProblem, procrustesProblem } from './synthetic.ts'

const rules = (overrides: Partial<StoppingRules>): StoppingRules => ({
  maxSteps: 100,
  budgetSeconds: 60,
  gradTol: 0,
  ...overrides,
})
const hooks = () => ({ rng: createRng(1) })

describe('rcg', () => {
  it('has the documented defaults', () => {
    expect(RCG_DEFAULTS).toEqual({
      alpha0: 1,
      c: 1e-4,
      maxHalvings: 30,
      restartEvery: null,
      batchSize: null,
    })
  })

  it('takes the same first step as rgd-armijo (β = 0, α = alpha0/‖Ω‖)', async () => {
    const init = haarRotation(8, createRng(5))
    const a = plantedSparseProblem(8, 30, 2, 2)
    const b = plantedSparseProblem(8, 30, 2, 2)
    const ra = await riemannianCg().optimize(a.problem, [init], rules({ maxSteps: 1 }), hooks())
    const rb = await rgdArmijo().optimize(b.problem, [init], rules({ maxSteps: 1 }), hooks())
    expectAllClose(ra.rotations[0].data, rb.rotations[0].data, { atol: 1e-15 })
    expect(a.evaluations()).toEqual(b.evaluations())
  })

  it('needs far fewer steps than gradient descent on an ill-conditioned problem', async () => {
    const tol = rules({ maxSteps: 20_000, gradTol: 1e-4 })
    const cg = procrustesProblem(10, 300, 3)
    const gd = procrustesProblem(10, 300, 3)
    const rc = await riemannianCg().optimize(cg.problem, [identity(10)], tol, hooks())
    const rg = await rgdArmijo().optimize(gd.problem, [identity(10)], tol, hooks())
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
      hooks(),
    )
    expect(rc.steps * 1.5).toBeLessThan(rs.steps)
  })

  it('decreases f monotonically, stays orthogonal, and reaches the planted level', async () => {
    for (const seed of [1, 4]) {
      const syn = plantedSparseProblem(16, 64, 2, seed)
      const init = haarRotation(16, createRng(100 + seed))
      const res = await riemannianCg().optimize(
        syn.problem,
        [init],
        rules({ maxSteps: 600 }),
        hooks(),
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
      rules({ maxSteps: 100_000 }),
      hooks(),
    )
    expect(res.stopReason).toBe('tolerance')
    expect(res.steps).toBeLessThan(500)
    expect(frobenius(sub(res.rotations[0], p.q))).toBeLessThan(1e-4)
  })
})
