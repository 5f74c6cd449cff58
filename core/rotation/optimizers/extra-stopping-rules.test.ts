import { describe, expect, it } from 'vitest'
import { orthogonalityError } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { haarRotation } from '../retraction.ts'
import { dynamicTrivialization } from './dynamic-trivialization.ts'
import { EXTRA_OPTIMIZERS } from './index.ts'
import { landing } from './landing.ts'
import type { ExtraRotationOptimizer, StepRecord, StoppingRules } from './optimizer.ts'
import { riemannianCg } from './riemannian-cg.ts'
import { rgdArmijo } from './riemannian-gd.ts'
import { plantedSparseProblem } from './synthetic.ts'

// The stopping-rule contract of optimizers.test.ts, for the four optimizers added here.

const rules = (overrides: Partial<StoppingRules>): StoppingRules => ({
  maxSteps: 100,
  budgetSeconds: 60,
  gradTol: 0,
  ...overrides,
})

const hooks = () => ({ rng: createRng(1) })

describe('EXTRA_OPTIMIZERS', () => {
  it('maps each name to a factory whose optimizer carries that name', () => {
    for (const [name, make] of Object.entries(EXTRA_OPTIMIZERS)) {
      expect((make as () => ExtraRotationOptimizer)().name).toBe(name)
    }
  })
})

describe.each([
  ['rgd-armijo', () => rgdArmijo()],
  ['rcg', () => riemannianCg()],
  ['landing', () => landing({ lr: 0.05, batchSize: null })],
  ['landing (minibatch)', () => landing({ lr: 0.05, batchSize: 2 })],
  ['dyntriv', () => dynamicTrivialization({ lr: 0.02, batchSize: null, foldEvery: 3 })],
] as const)('%s stopping rules', (_, make) => {
  const setup = () => {
    const syn = plantedSparseProblem(6, 20, 2, 9, 4)
    return { syn, init: [haarRotation(6, createRng(9))] }
  }

  it('runs exactly maxSteps, one gradient evaluation per step', async () => {
    const { syn, init } = setup()
    const fractions: number[] = []
    const res = await make().optimize(syn.problem, init, rules({ maxSteps: 7 }), {
      rng: createRng(1),
      onStep: (_record, fraction) => fractions.push(fraction),
    })
    expect(res.steps).toBe(7)
    expect(res.stopReason).toBe('steps')
    expect(res.history).toHaveLength(7)
    expect(syn.evaluations().withGrad).toBe(7)
    expect(fractions).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => k / 7))
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
  })

  it('stops on the time budget', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(
      syn.problem,
      init,
      rules({ maxSteps: 1e9, budgetSeconds: 0.05, gradTol: 1e-300 }),
      hooks(),
    )
    // The line-search optimizers may converge (to round-off) first on this tiny problem.
    expect(['budget', 'tolerance']).toContain(res.stopReason)
    expect(res.steps).toBeGreaterThan(0)
    expect(res.seconds).toBeLessThan(5)
  })

  it('takes no step with a zero budget', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(syn.problem, init, rules({ budgetSeconds: 0 }), hooks())
    expect(res.stopReason).toBe('budget')
    expect(res.steps).toBe(0)
    expect(syn.evaluations()).toEqual({ withGrad: 0, withoutGrad: 0 })
  })

  it('stops on the gradient tolerance after one step, without moving', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(syn.problem, init, rules({ gradTol: 1e300 }), hooks())
    expect(res.stopReason).toBe('tolerance')
    expect(res.steps).toBe(1)
    expect(res.history).toHaveLength(1)
    expect(syn.evaluations()).toEqual({ withGrad: 1, withoutGrad: 0 })
    expect(res.rotations[0].data).toEqual(init[0].data)
  })

  it('returns the init untouched for an already-aborted signal', async () => {
    const { syn, init } = setup()
    const controller = new AbortController()
    controller.abort()
    const res = await make().optimize(
      syn.problem,
      init,
      rules({ signal: controller.signal }),
      hooks(),
    )
    expect(res.stopReason).toBe('cancelled')
    expect(res.steps).toBe(0)
    expect(syn.evaluations()).toEqual({ withGrad: 0, withoutGrad: 0 })
    expect(res.rotations[0].data).toEqual(init[0].data)
  })

  it('stops at the next step when aborted from onStep', async () => {
    const { syn, init } = setup()
    const controller = new AbortController()
    const seen: StepRecord[] = []
    const res = await make().optimize(syn.problem, init, rules({ signal: controller.signal }), {
      rng: createRng(1),
      onStep: (record) => {
        seen.push(record)
        if (record.step === 3) controller.abort()
      },
    })
    expect(res.stopReason).toBe('cancelled')
    expect(res.steps).toBe(3)
    expect(seen.map((r) => r.step)).toEqual([1, 2, 3])
    expect(syn.evaluations().withGrad).toBe(3)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
  })

  it('is deterministic when the step count, not the clock, sets the schedule', async () => {
    const a = setup()
    const b = setup()
    const r = rules({ maxSteps: 20, budgetSeconds: Infinity })
    const ra = await make().optimize(a.syn.problem, a.init, r, hooks())
    const rb = await make().optimize(b.syn.problem, b.init, r, hooks())
    expect(ra.rotations[0].data).toEqual(rb.rotations[0].data)
    expect(ra.history.map((h) => h.value)).toEqual(rb.history.map((h) => h.value))
  })

  it('does not modify the init', async () => {
    const { syn, init } = setup()
    const copy = Float64Array.from(init[0].data)
    await make().optimize(syn.problem, init, rules({ maxSteps: 5 }), hooks())
    expect(init[0].data).toEqual(copy)
  })
})
