import { beforeAll, describe, expect, it } from 'vitest'
import { expectClose } from '../../test/helpers/tolerance.ts'
import { randomMlp, randomSkew } from '../../test/helpers/random.ts'
import {
  FAITHFULNESS_TOLERANCES,
  edgeAblation,
  fewestKept,
  targetAccuracy,
} from '../analysis/faithfulness.ts'
import { initCompute } from '../backend/compute.ts'
import { type LayerData, layerData } from '../jacobian/layer-data.ts'
import { type Mat, matmul, orthogonalityError } from '../linalg/matrix.ts'
import { argmaxRows, predictLogits } from '../model/forward.ts'
import type { MlpParams } from '../model/mlp.ts'
import { createRng, permutation } from '../random/prng.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import { type MeasureSpec, createMeasure } from '../sparsity/measures/index.ts'
import { irlsLp } from './optimizers/irls-lp.ts'
import { riemannianAdam } from './optimizers/riemannian-adam.ts'
import { rgdArmijo } from './optimizers/riemannian-gd.ts'
import type { RotationOptimizer } from './optimizers/optimizer.ts'
import { createProblem } from './problem.ts'
import { cayleyStep, haarRotation } from './retraction.ts'
import { asLayers, asSpaces } from '../model/indices.ts'

/**
 * A network whose circuit is small in a hidden basis: 10-12-8-4 with layer 2's weight
 * W₂ = S·Q, S sparse (8 × 12, `PLANTED` nonzero entries) and Q a Haar rotation of space 1.
 * In the basis R₁ = Q (space 2 in its neuron basis) layer 2's rotated weight is S and its
 * Jacobians D(x)·S are sparse in the same places at every input: exactly PLANTED edges.
 * Labels are the network's own predictions; with these seeds every planted edge matters
 * to accuracy at both tolerances (the first test checks that the count is exact).
 */
const SIZES = [10, 12, 8, 4]
const PLANTED = 8

function plantedNetwork(seed: number): { params: MlpParams; q: Mat; s: Mat } {
  const rng = createRng(seed)
  const base = randomMlp(SIZES, 'relu', rng)
  // One input direction per output unit, each its own: no basis of space 1 does with fewer
  // edges (every row of W₂ is nonzero).
  const s: Mat = { rows: 8, cols: 12, data: new Float64Array(96) }
  const columns = permutation(12, rng)
  for (let i = 0; i < PLANTED; i++)
    s.data[i * 12 + columns[i]] = (rng.next() < 0.5 ? -1 : 1) * (1 + rng.next())
  const q = haarRotation(12, rng.fork('q'))
  const w2 = matmul(s, q)
  const layers = base.layers.map((l, i) =>
    i === 1 ? { ...l, weight: Float32Array.from(w2.data) } : l,
  )
  return { params: { ...base, layers }, q, s }
}

function gaussianInputs(n: number, seed: number): Float32Array {
  const rng = createRng(seed)
  return Float32Array.from({ length: n * SIZES[0] }, () => rng.normal())
}

/** Fewest connections of layer 2 within each tolerance with space 1 in basis r (space 2: neurons). */
function fewestEdges(
  params: MlpParams,
  r: Mat,
  objective: LayerData,
  x: Float32Array,
  labels: Int32Array,
): number[] {
  const bases = [null, r, null, null]
  const ranking = layerMetrics(objective, r, null, [], undefined, { meanAbs: true }).meanAbs!
  const ablation = edgeAblation(params, bases, 2, ranking, x, labels)
  return FAITHFULNESS_TOLERANCES.map((t) => fewestKept(ablation, targetAccuracy(1, t))!)
}

describe('a planted circuit', () => {
  beforeAll(async () => {
    await initCompute()
  })

  const { params, q } = plantedNetwork(2)
  const train = gaussianInputs(400, 11)
  const test = gaussianInputs(2000, 12)
  let labels: Int32Array
  beforeAll(() => {
    labels = argmaxRows(predictLogits(params, test, 2000), 2000, 4)
  })
  const problemFor = (spec: MeasureSpec, data: readonly LayerData[]) =>
    createProblem({
      data,
      bases: [null, q, null, null],
      free: asSpaces(1),
      layers: asLayers(2),
      measure: createMeasure(spec),
    })
  const optimize = async (optimizer: RotationOptimizer, spec: MeasureSpec, start: Mat) => {
    const data = layerData(params, train, 400)
    const problem = problemFor(spec, data)
    const result = await optimizer.optimize(
      problem,
      [start],
      { maxSteps: 4000, budgetSeconds: 60, gradTol: 1e-9 },
      { rng: createRng(1) },
    )
    return {
      problem,
      data,
      result,
      value: problem.evaluate(result.rotations, { grad: false }).value,
    }
  }
  const adam = riemannianAdam({
    lr: 0.05,
    finalLrFraction: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    batchSize: null,
    warmupSteps: 20,
  })

  it('counts exactly the planted edges in the planted basis, and many more in a random one', () => {
    const data = layerData(params, train, 400)
    expect(fewestEdges(params, q, data[1], test, labels)).toEqual([PLANTED, PLANTED])
    const random = haarRotation(12, createRng(99))
    const counts = fewestEdges(params, random, data[1], test, labels)
    expect(Math.min(...counts)).toBeGreaterThan(2 * PLANTED)
  })

  it('the edge measure recovers it from a random start: the learned basis needs exactly the planted edges', async () => {
    const spec: MeasureSpec = { name: 'lp', p: 0.5, eps: 1e-3, perInput: 0, edge: 1 }
    const start = haarRotation(12, createRng(5))
    const { data, result } = await optimize(adam, spec, start)
    const found = result.rotations[0]
    expect(orthogonalityError(found)).toBeLessThan(1e-10)
    expect(fewestEdges(params, found, data[1], test, labels)).toEqual([PLANTED, PLANTED])
  })

  it('IRLS-Lp lowers lp to the minimum the other optimizers reach from the same start', async () => {
    // ε = 0.01: sharp enough to reward zeros, smooth enough for the line-search methods to
    // converge within the test's steps (at 1e-3 they crawl; see README, Benchmark).
    const spec: MeasureSpec = { name: 'lp', p: 0.5, eps: 0.01 }
    const start = cayleyStep(q, randomSkew(12, createRng(6), 0.1))
    const irls = await optimize(irlsLp(), spec, start)
    const startValue = irls.problem.evaluate([start], { grad: false }).value
    expect(irls.value).toBeLessThan(0.7 * startValue)
    expect(irls.result.stopReason).toBe('tolerance')
    for (const other of [adam, rgdArmijo()]) {
      const ref = await optimize(other, spec, start)
      expectClose(irls.value, ref.value, { rtol: 1e-6, label: other.name })
    }
    // The objective it reports is the true one at each step's start: it never rises above
    // where it began, and ends where the final evaluation says.
    for (const h of irls.result.history)
      expect(h.value).toBeLessThanOrEqual(startValue * (1 + 1e-9))
    expectClose(irls.result.history.at(-1)!.value, irls.value, { rtol: 1e-6 })
  })
})
