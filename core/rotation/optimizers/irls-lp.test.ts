import { beforeAll, describe, expect, it } from 'vitest'
import { randomMlp } from '../../../test/helpers/random.ts'
import { initCompute } from '../../backend/compute.ts'
import { layerData } from '../../jacobian/layer-data.ts'
import { type Mat, orthogonalityError } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { type MeasureSpec, createMeasure } from '../../sparsity/measures/index.ts'
import { type Majorizer, type RotationProblem, createProblem } from '../problem.ts'
import { haarRotation } from '../retraction.ts'
import { irlsLp } from './irls-lp.ts'
import { plantedStart, testHooks, testRules } from '../../../test/helpers/synthetic-problems.ts'
import { asLayers, asSpaces } from '../../model/indices.ts'

const SIZES = [9, 7, 6, 3]

/** Layers 1–3 of a small random relu MLP on 50 inputs, R_1 and R_2 free, both counted. */
function smallProblem(spec: MeasureSpec): { problem: RotationProblem; init: Mat[] } {
  const rng = createRng(17)
  const params = randomMlp(SIZES, 'relu', rng)
  const x = Float32Array.from({ length: 50 * SIZES[0] }, () => rng.normal())
  const init = [haarRotation(7, rng), haarRotation(6, rng)]
  const problem = createProblem({
    data: layerData(params, x, 50),
    bases: [null, init[0], init[1], null],
    free: asSpaces(1, 2),
    layers: asLayers(1, 2, 3),
    measure: createMeasure(spec),
  })
  return { problem, init }
}

/** The problem with every majorizer it builds and every sample set it is evaluated on recorded. */
function recorded(problem: RotationProblem) {
  const anchors: { samples: (readonly number[] | undefined)[] }[] = []
  const wrapped: RotationProblem = {
    ...problem,
    majorizer(anchor) {
      const m = problem.majorizer!(anchor)
      const record = { samples: [] as (readonly number[] | undefined)[] }
      anchors.push(record)
      const majorizer: Majorizer = {
        evaluate(params, options) {
          record.samples.push(options.samples)
          return m.evaluate(params, options)
        },
      }
      return majorizer
    },
  }
  return { problem: wrapped, anchors }
}

describe('irls-lp', () => {
  beforeAll(async () => {
    await initCompute()
  })

  it('refuses a problem without a majorizer, saying what it needs', async () => {
    const { syn, init } = plantedStart(6, 20, 2, 1)
    await expect(irlsLp().optimize(syn.problem, [init], testRules(), testHooks())).rejects.toThrow(
      /irls-lp needs a problem with a majorizer/,
    )
  })

  it('renews the weights every innerSteps steps on the full batch, lowering the objective', async () => {
    const { problem, init } = smallProblem({ name: 'lp', p: 0.5, eps: 0.05 })
    const rec = recorded(problem)
    const res = await irlsLp({ innerSteps: 4 }).optimize(
      rec.problem,
      init,
      testRules({ maxSteps: 20 }),
      testHooks(),
    )
    expect(res.steps).toBe(20)
    expect(rec.anchors).toHaveLength(5)
    for (const a of rec.anchors) expect(a.samples.every((s) => s === undefined)).toBe(true)
    const start = problem.evaluate(init, { grad: false }).value
    const end = problem.evaluate(res.rotations, { grad: false }).value
    expect(end).toBeLessThan(start)
    // The step records carry the true objective, decreasing from anchor to anchor (MM).
    const atAnchors = res.history.filter((_, i) => i % 4 === 0).map((h) => h.value)
    for (let i = 1; i < atAnchors.length; i++) expect(atAnchors[i]).toBeLessThan(atAnchors[i - 1])
    for (const r of res.rotations) expect(orthogonalityError(r)).toBeLessThan(1e-12)
  })

  it('with a minibatch, majorizes on one batch per outer iteration', async () => {
    const { problem, init } = smallProblem({ name: 'log', eps: 0.05 })
    const rec = recorded(problem)
    await irlsLp({ innerSteps: 3, batchSize: 10 }).optimize(
      rec.problem,
      init,
      testRules({ maxSteps: 9 }),
      testHooks(),
    )
    expect(rec.anchors.length).toBeGreaterThanOrEqual(3)
    const batches = rec.anchors.map((a) => {
      const first = a.samples[0]!
      expect(first).toHaveLength(10)
      for (const s of a.samples) expect(s).toEqual(first)
      return first.join(',')
    })
    expect(new Set(batches).size).toBe(batches.length)
  })

  it('lowers an edge-only and a mixed objective (the edge term majorized by its own weights)', async () => {
    for (const spec of [
      { name: 'lp', p: 0.5, eps: 0.05, perInput: 0, edge: 1 },
      { name: 'lp', p: 0.5, eps: 0.05, perInput: 1, edge: 1 },
    ] as MeasureSpec[]) {
      const { problem, init } = smallProblem(spec)
      const res = await irlsLp().optimize(problem, init, testRules({ maxSteps: 30 }), testHooks())
      const start = problem.evaluate(init, { grad: false }).value
      const end = problem.evaluate(res.rotations, { grad: false }).value
      expect(end, JSON.stringify(spec)).toBeLessThan(0.99 * start)
    }
  })
})
