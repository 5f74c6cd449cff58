import { gaussian, randomMlp } from '../../../test/helpers/random.ts'
import { beforeAll, describe, expect, it } from 'vitest'
import { initCompute } from '../../backend/compute.ts'
import { layerData } from '../../jacobian/layer-data.ts'
import { svd } from '../../linalg/eigen.ts'
import { type Mat, axpby, identity, transpose } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { createMeasure } from '../../sparsity/measures/index.ts'
import { columnNormError, conditionNumber, inverse, normalizeColumns } from '../oblique/manifold.ts'
import { createObliqueProblem } from '../oblique/problem.ts'
import type { RotationProblem } from '../problem.ts'
import { haarRotation } from '../retraction.ts'
import { MAX_CONDITION, obliqueAdam } from './oblique-adam.ts'
import { asLayers, asSpaces } from '../../model/indices.ts'

beforeAll(async () => {
  await initCompute()
})

const SETTINGS = {
  lr: 0.02,
  finalLrFraction: 0.05,
  beta1: 0.9,
  beta2: 0.999,
  batchSize: 16,
  warmupSteps: 10,
}

/** Hoyer over two layers of a small random relu MLP, both hidden spaces oblique and free. */
function mlpProblem(seed: number): RotationProblem {
  const rng = createRng(seed)
  const params = randomMlp([12, 10, 8, 4], 'relu', rng.fork('mlp'))
  const n = 64
  const x = Float32Array.from({ length: n * 12 }, () => rng.normal())
  return createObliqueProblem({
    data: layerData(params, x, n),
    bases: [null, null, null, null],
    free: asSpaces(1, 2),
    layers: asLayers(1, 2, 3),
    measure: createMeasure({ name: 'hoyer' }),
  })
}

/** f(M) = log|det M| (gradient M⁻ᵀ): lowest as M becomes singular. */
function collapsingProblem(n: number): RotationProblem {
  return {
    free: asSpaces(1),
    dims: [n],
    nSamples: 1,
    evaluate(ms, options) {
      const value = svd(ms[0]).s.reduce((acc, s) => acc + Math.log(s), 0)
      return {
        value,
        perLayer: [value],
        grads: options.grad ? [transpose(inverse(ms[0]))] : null,
      }
    },
  }
}

describe('oblique-adam', () => {
  it('keeps every column at unit length (to 1e-6) over many minibatch steps and lowers the objective', async () => {
    const problem = mlpProblem(1)
    const init = [transpose(haarRotation(10, createRng(2))), identity(8)]
    let worst = 0
    const result = await obliqueAdam({ ...SETTINGS, barrier: 1 }).optimize(
      problem,
      init,
      { maxSteps: 400, budgetSeconds: 60, gradTol: 0 },
      {
        rng: createRng(3),
        onStep: (_r, _f, current) => {
          for (const m of current()) worst = Math.max(worst, columnNormError(m))
        },
      },
    )
    expect(result.steps).toBe(400)
    expect(result.stopReason).toBe('steps')
    expect(worst).toBeLessThan(1e-6)
    for (const m of result.rotations) expect(columnNormError(m)).toBeLessThan(1e-6)
    const full = (ms: readonly Mat[]): number => problem.evaluate(ms, { grad: false }).value
    expect(full(result.rotations)).toBeLessThan(0.97 * full(init))
    // It really left the rotations: the learned transforms are oblique.
    for (const m of result.rotations) expect(conditionNumber(m)).toBeGreaterThan(1.05)
  })

  it('without the barrier hoyer crowds directions until the guard stops the run; the barrier keeps T well conditioned', async () => {
    const problem = mlpProblem(1)
    const init = [transpose(haarRotation(10, createRng(2))), identity(8)]
    const run = (barrier: number) =>
      obliqueAdam({ ...SETTINGS, barrier }).optimize(
        problem,
        init,
        { maxSteps: 400, budgetSeconds: 60, gradTol: 0 },
        { rng: createRng(3) },
      )
    const free = await run(0)
    const damped = await run(1)
    // Measured: without it, space 1 drifts to the bound (κ ≈ 999 of 1000), slides along it
    // with damped steps and is stuck there after ~330 steps; with λ = 1 both κ stay ≈ 1.4.
    expect(free.stopReason).toBe('ill-conditioned')
    expect(free.steps).toBeLessThan(400)
    const worst = Math.max(...free.rotations.map(conditionNumber))
    expect(worst).toBeLessThanOrEqual(MAX_CONDITION)
    expect(worst).toBeGreaterThan(0.9 * MAX_CONDITION)
    expect(damped.stopReason).toBe('steps')
    for (const m of damped.rotations) expect(conditionNumber(m)).toBeLessThan(3)
  })

  it('damps steps that would pass maxCondition, and stops with "ill-conditioned" when stuck at it', async () => {
    const maxCondition = 100
    const conditions: number[] = []
    const result = await obliqueAdam({ ...SETTINGS, lr: 0.05, maxCondition }).optimize(
      collapsingProblem(5),
      // Not orthogonal: orthogonal M maximise |det M| on the manifold (zero gradient).
      [normalizeColumns(axpby(1, identity(5), 0.3, gaussian(5, 5, createRng(4))))],
      { maxSteps: 5000, budgetSeconds: 60, gradTol: 0 },
      {
        rng: createRng(1),
        onStep: (_r, _f, current) => conditions.push(conditionNumber(current()[0])),
      },
    )
    expect(result.stopReason).toBe('ill-conditioned')
    expect(result.steps).toBeLessThan(5000)
    // The run went up to the bound, never past it, and returns a point within it.
    expect(Math.max(...conditions)).toBeLessThanOrEqual(maxCondition)
    expect(Math.max(...conditions)).toBeGreaterThan(0.9 * maxCondition)
    expect(conditionNumber(result.rotations[0])).toBeLessThanOrEqual(maxCondition)
    expect(MAX_CONDITION).toBe(1e3)
  })

  it('obeys the shared stopping rules: a vanishing gradient ends the run as converged', async () => {
    const flat: RotationProblem = {
      free: asSpaces(1),
      dims: [3],
      nSamples: 1,
      evaluate: (_ms, o) => ({
        value: 1,
        perLayer: [1],
        grads: o.grad ? [{ rows: 3, cols: 3, data: new Float64Array(9) }] : null,
      }),
    }
    const result = await obliqueAdam(SETTINGS).optimize(
      flat,
      [identity(3)],
      { maxSteps: 10, budgetSeconds: 60, gradTol: 1e-9 },
      { rng: createRng(1) },
    )
    expect(result.stopReason).toBe('tolerance')
    expect(result.steps).toBe(1)
  })

  it('the Riemannian gradient norm it reports ignores the radial part of the gradient', async () => {
    // f(M) = Σ_j ‖m_j‖²: constant on the manifold, so its Riemannian gradient is 0.
    const radial: RotationProblem = {
      free: asSpaces(1),
      dims: [4],
      nSamples: 1,
      evaluate: (ms, o) => ({
        value: 4,
        perLayer: [4],
        grads: o.grad ? [{ ...ms[0], data: ms[0].data.map((v) => 2 * v) }] : null,
      }),
    }
    const result = await obliqueAdam(SETTINGS).optimize(
      radial,
      [transpose(haarRotation(4, createRng(5)))],
      { maxSteps: 10, budgetSeconds: 60, gradTol: 1e-12 },
      { rng: createRng(1) },
    )
    expect(result.history[0].gradNorm).toBeLessThan(1e-12)
    expect(result.stopReason).toBe('tolerance')
  })
})
