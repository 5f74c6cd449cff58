import { describe, expect, it } from 'vitest'
import { orthogonalityError } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { dynamicTrivialization } from './dynamic-trivialization.ts'
import { EXTRA_OPTIMIZERS } from './index.ts'
import { landing } from './landing.ts'
import type { ExtraRotationOptimizer, RotationOptimizer, StepRecord } from './optimizer.ts'
import { riemannianAdam } from './riemannian-adam.ts'
import { riemannianCg } from './riemannian-cg.ts'
import { rgdArmijo } from './riemannian-gd.ts'
import { seedGd } from './seed-gd.ts'
import { plantedStart, testHooks, testRules } from '../../../test/helpers/synthetic-problems.ts'

// The stopping-rule contract every optimizer obeys (runLoop, DESIGN.md §1).

describe('EXTRA_OPTIMIZERS', () => {
  it('maps each name to a factory whose optimizer carries that name', () => {
    for (const [name, make] of Object.entries(EXTRA_OPTIMIZERS)) {
      expect((make as () => ExtraRotationOptimizer)().name).toBe(name)
    }
  })
})

interface Case {
  readonly name: string
  readonly make: () => RotationOptimizer
  /** Also evaluates f without its gradient: the line search's trials, at least one a step. */
  readonly lineSearch: boolean
  /** Tests the gradient tolerance before moving, so a 'tolerance' stop returns the point judged. */
  readonly holdsAtTolerance: boolean
}

const cases: Case[] = [
  {
    name: 'seed-gd',
    make: () => seedGd({ lr: 1e-4, batchSize: null }),
    lineSearch: false,
    holdsAtTolerance: false,
  },
  {
    name: 'riemannian-adam',
    make: () =>
      riemannianAdam({
        lr: 0.05,
        finalLrFraction: 0.05,
        beta1: 0.9,
        beta2: 0.999,
        batchSize: null,
      }),
    lineSearch: false,
    holdsAtTolerance: false,
  },
  { name: 'rgd-armijo', make: () => rgdArmijo(), lineSearch: true, holdsAtTolerance: true },
  { name: 'rcg', make: () => riemannianCg(), lineSearch: true, holdsAtTolerance: true },
  {
    name: 'landing',
    make: () => landing({ lr: 0.05, batchSize: null }),
    lineSearch: false,
    holdsAtTolerance: true,
  },
  {
    name: 'landing (minibatch)',
    make: () => landing({ lr: 0.05, batchSize: 2 }),
    lineSearch: false,
    holdsAtTolerance: true,
  },
  {
    name: 'dyntriv',
    make: () => dynamicTrivialization({ lr: 0.02, batchSize: null, foldEvery: 3 }),
    lineSearch: false,
    holdsAtTolerance: true,
  },
]

describe.each(cases)('$name stopping rules', ({ make, lineSearch, holdsAtTolerance }) => {
  const setup = () => {
    const { syn, init } = plantedStart(6, 20, 2, 9, { samples: 4, initSeed: 9 })
    return { syn, init: [init] }
  }

  /** `steps` gradient evaluations, and value-only ones only for a line search. */
  const expectEvaluations = (
    evaluations: { withGrad: number; withoutGrad: number },
    steps: number,
  ) => {
    expect(evaluations.withGrad).toBe(steps)
    if (lineSearch) expect(evaluations.withoutGrad).toBeGreaterThanOrEqual(steps)
    else expect(evaluations.withoutGrad).toBe(0)
  }

  it('runs exactly maxSteps, one gradient evaluation per step', async () => {
    const { syn, init } = setup()
    const fractions: number[] = []
    const res = await make().optimize(syn.problem, init, testRules({ maxSteps: 7 }), {
      rng: createRng(1),
      onStep: (_record, fraction) => fractions.push(fraction),
    })
    expect(res.steps).toBe(7)
    expect(res.stopReason).toBe('steps')
    expect(res.history).toHaveLength(7)
    expectEvaluations(syn.evaluations(), 7)
    expect(fractions).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => k / 7))
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
  })

  it('stops on the time budget', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(
      syn.problem,
      init,
      testRules({ maxSteps: 1e9, budgetSeconds: 0.05, gradTol: 1e-300 }),
      testHooks(),
    )
    // The line-search optimizers may converge (to round-off) first on this tiny problem.
    expect(lineSearch ? ['budget', 'tolerance'] : ['budget']).toContain(res.stopReason)
    expect(res.steps).toBeGreaterThan(0)
    expect(res.steps).toBeLessThan(1e9)
    if (res.stopReason === 'budget') expect(res.seconds).toBeGreaterThanOrEqual(0.05)
    expect(res.seconds).toBeLessThan(5)
  })

  it('takes no step with a zero budget', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(
      syn.problem,
      init,
      testRules({ budgetSeconds: 0 }),
      testHooks(),
    )
    expect(res.stopReason).toBe('budget')
    expect(res.steps).toBe(0)
    expect(syn.evaluations()).toEqual({ withGrad: 0, withoutGrad: 0 })
  })

  it('stops on the gradient tolerance after one step', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(syn.problem, init, testRules({ gradTol: 1e300 }), testHooks())
    expect(res.stopReason).toBe('tolerance')
    expect(res.steps).toBe(1)
    expect(res.history).toHaveLength(1)
    expect(syn.evaluations()).toEqual({ withGrad: 1, withoutGrad: 0 })
    if (holdsAtTolerance) expect(res.rotations[0].data).toEqual(init[0].data)
  })

  it('returns the init untouched for an already-aborted signal', async () => {
    const { syn, init } = setup()
    const controller = new AbortController()
    controller.abort()
    const res = await make().optimize(
      syn.problem,
      init,
      testRules({ signal: controller.signal }),
      testHooks(),
    )
    expect(res.stopReason).toBe('cancelled')
    expect(res.steps).toBe(0)
    expect(res.history).toHaveLength(0)
    expect(syn.evaluations()).toEqual({ withGrad: 0, withoutGrad: 0 })
    expect(res.rotations[0].data).toEqual(init[0].data)
  })

  it('stops at the next step when aborted from onStep', async () => {
    const { syn, init } = setup()
    const controller = new AbortController()
    const seen: StepRecord[] = []
    const res = await make().optimize(syn.problem, init, testRules({ signal: controller.signal }), {
      rng: createRng(1),
      onStep: (record) => {
        seen.push(record)
        if (record.step === 3) controller.abort()
      },
    })
    expect(res.stopReason).toBe('cancelled')
    expect(res.steps).toBe(3)
    expect(seen.map((r) => r.step)).toEqual([1, 2, 3])
    expectEvaluations(syn.evaluations(), 3)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
  })

  it('is deterministic when the step count, not the clock, sets the schedule', async () => {
    // The annealed optimizers schedule lr by max(steps/maxSteps, elapsed/budget), so with a
    // finite budget their iterates depend (at round-off level) on wall time; an infinite
    // budget makes the schedule, and so the run, exactly reproducible.
    const a = setup()
    const b = setup()
    const r = testRules({ maxSteps: 20, budgetSeconds: Infinity })
    const ra = await make().optimize(a.syn.problem, a.init, r, testHooks())
    const rb = await make().optimize(b.syn.problem, b.init, r, testHooks())
    expect(ra.rotations[0].data).toEqual(rb.rotations[0].data)
    expect(ra.history.map((h) => h.value)).toEqual(rb.history.map((h) => h.value))
  })

  it('does not modify the init', async () => {
    const { syn, init } = setup()
    const copy = Float64Array.from(init[0].data)
    await make().optimize(syn.problem, init, testRules({ maxSteps: 5 }), testHooks())
    expect(init[0].data).toEqual(copy)
  })
})
