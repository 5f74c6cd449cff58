import { optimizerDefaults } from '../../api/config/optimizer.ts'
import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { randomSkew } from '../../../test/helpers/random.ts'
import {
  type Mat,
  frobenius,
  identity,
  orthogonalityError,
  scale,
  sub,
} from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { cayleyStep, riemannianGradient } from '../retraction.ts'
import { rgdArmijo } from './riemannian-gd.ts'
import {
  plantedStart,
  procrustesProblem,
  testHooks,
  testRules,
} from '../../../test/helpers/synthetic-problems.ts'

describe('rgd-armijo', () => {
  it('has the documented defaults', () => {
    expect(optimizerDefaults('rgd-armijo')).toEqual({
      alpha0: 1,
      c: 1e-4,
      maxHalvings: 30,
      batchSize: null,
    })
  })

  it('first step: trial α = alpha0/‖Ω‖, halved until Armijo holds', async () => {
    // Near the Procrustes minimum a unit-length step overshoots.
    const p = procrustesProblem(8, 10, 2)
    const init = cayleyStep(p.q, randomSkew(8, createRng(5), 0.02))
    const res = await rgdArmijo().optimize(
      p.problem,
      [init],
      testRules({ maxSteps: 1 }),
      testHooks(),
    )
    const omega = riemannianGradient(init, p.grad(init))
    const g = frobenius(omega)
    expectClose(res.history[0].gradNorm, g, { rtol: 1e-14 })
    // Replay the search: the accepted point is cay(α·Ω)·R with α = 2^-h/‖Ω‖, the first
    // α of that form satisfying the Armijo condition.
    const f0 = p.f(init)
    const armijoHolds = (x: Mat, alpha: number): boolean => {
      const f = p.f(x)
      return f < f0 && f <= f0 - 1e-4 * alpha * g * g
    }
    let alpha = 1 / g
    let expected = cayleyStep(init, scale(omega, alpha))
    let h = 0
    while (!armijoHolds(expected, alpha)) {
      alpha /= 2
      h++
      expected = cayleyStep(init, scale(omega, alpha))
    }
    expect(h).toBeGreaterThan(0)
    expectAllClose(res.rotations[0].data, expected.data, { atol: 1e-13 })
    expect(p.evaluations()).toEqual({ withGrad: 1, withoutGrad: h + 1 })
    expect(p.f(res.rotations[0])).toBeLessThan(f0)
  })

  it('decreases f monotonically and stays exactly orthogonal', async () => {
    const { syn, init } = plantedStart(12, 60, 2, 3)
    const res = await rgdArmijo().optimize(
      syn.problem,
      [init],
      testRules({ maxSteps: 300 }),
      testHooks(),
    )
    const values = res.history.map((h) => h.value)
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1])
    expect(syn.f(res.rotations[0])).toBeLessThan(0.6 * syn.f(init))
    expect(syn.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
  })

  it('doubles α after a step accepted at once: about 2 evaluations per step', async () => {
    const p = procrustesProblem(8, 10, 1)
    const res = await rgdArmijo().optimize(
      p.problem,
      [identity(8)],
      testRules({ maxSteps: 200 }),
      testHooks(),
    )
    const { withGrad, withoutGrad } = p.evaluations()
    expect(withGrad).toBe(res.steps)
    expect(withoutGrad / withGrad).toBeLessThan(2.5)
  })

  it('converges to the Procrustes solution and stops on the gradient tolerance', async () => {
    const p = procrustesProblem(10, 30, 3)
    const res = await rgdArmijo().optimize(
      p.problem,
      [identity(10)],
      testRules({ maxSteps: 5000, gradTol: 1e-5 }),
      testHooks(),
    )
    expect(res.stopReason).toBe('tolerance')
    expect(res.history.at(-1)!.gradNorm).toBeLessThan(1e-5)
    expect(frobenius(sub(res.rotations[0], p.q))).toBeLessThan(1e-5)
    expectClose(p.f(res.rotations[0]), p.fStar, { rtol: 1e-12 })
  })

  it('ends as converged when the line search can no longer resolve a decrease', async () => {
    // gradTol 0 can never be met; the run ends when f stops changing at round-off.
    const p = procrustesProblem(6, 10, 4)
    const res = await rgdArmijo().optimize(
      p.problem,
      [identity(6)],
      testRules({ maxSteps: 100_000, gradTol: 0 }),
      testHooks(),
    )
    expect(res.stopReason).toBe('tolerance')
    expect(res.steps).toBeLessThan(2000)
    expect(res.history.at(-1)!.gradNorm).toBeGreaterThan(0)
    expect(res.history.at(-1)!.gradNorm).toBeLessThan(1e-4)
    expect(frobenius(sub(res.rotations[0], p.q))).toBeLessThan(1e-4)
  })

  it('with a minibatch, uses one batch for the gradient and all trials of a step', async () => {
    const { syn, init } = plantedStart(8, 40, 2, 6, { samples: 8, initSeed: 7 })
    const seen: (readonly number[] | undefined)[] = []
    const problem = {
      ...syn.problem,
      evaluate: (
        rs: Parameters<typeof syn.problem.evaluate>[0],
        o: { grad: boolean; samples?: readonly number[] },
      ) => {
        seen.push(o.samples)
        return syn.problem.evaluate(rs, o)
      },
    }
    const res = await rgdArmijo({ batchSize: 3 }).optimize(
      problem,
      [init],
      testRules({ maxSteps: 1 }),
      testHooks(),
    )
    expect(res.steps).toBe(1)
    expect(seen.length).toBeGreaterThan(1)
    expect(seen[0]).toHaveLength(3)
    for (const s of seen) expect(s).toEqual(seen[0])
  })
})
