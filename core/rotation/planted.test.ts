import { beforeAll, describe, expect, it } from 'vitest'
import { initCompute } from '../backend/compute.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import { type Mat, matmul, orthogonalityError } from '../linalg/matrix.ts'
import { createRng, type Rng } from '../random/prng.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { riemannianAdam } from './optimizers/riemannian-adam.ts'
import { createProblem } from './problem.ts'
import { haarRotation } from './retraction.ts'
import { asLayer, asLayers, asSpaces } from '../model/indices.ts'

/**
 * A problem with a known answer: a layer whose Jacobians are sparse in a hidden basis.
 * W = S·Q with S sparse and Q a Haar rotation, so in the input basis R_in = Q every
 * J(x) = D(x)·W·Qᵀ = D(x)·S is sparse, whatever the (relu-like) D(x).
 */
function sparseMatrix(rows: number, cols: number, density: number, rng: Rng): Mat {
  const m = { rows, cols, data: new Float64Array(rows * cols) }
  for (let i = 0; i < m.data.length; i++) {
    if (rng.next() < density) m.data[i] = (rng.next() < 0.5 ? -1 : 1) * (0.5 + rng.next())
  }
  // Every row keeps one entry so no output is trivially dead.
  for (let i = 0; i < rows; i++)
    if (m.data.subarray(i * cols, (i + 1) * cols).every((v) => v === 0))
      m.data[i * cols + (i % cols)] = 1
  return m
}

function reluLikeData(weight: Mat, n: number, rng: Rng): LayerData {
  const derivatives = new Float32Array(n * weight.rows)
  for (let i = 0; i < derivatives.length; i++) derivatives[i] = rng.next() < 0.6 ? 1 : 0
  return {
    layer: asLayer(1),
    inDim: weight.cols,
    outDim: weight.rows,
    weight: Float32Array.from(weight.data),
    derivatives,
    n,
  }
}

describe('planted sparse basis', () => {
  beforeAll(async () => {
    await initCompute()
  })

  it('the fast optimizer finds an input basis at least as sparse (held-out) as the planted one, from a random start', async () => {
    const rng = createRng(7)
    const dIn = 16
    const dOut = 12
    const s = sparseMatrix(dOut, dIn, 0.15, rng)
    const q = haarRotation(dIn, rng.fork('q'))
    const w = matmul(s, q)
    const train = reluLikeData(w, 200, rng.fork('train'))
    const test = reluLikeData(w, 300, rng.fork('test'))
    const measure = createMeasure({ name: 'lp', p: 0.5, eps: 1e-3 })
    const start = haarRotation(dIn, rng.fork('start'))
    const problem = createProblem({
      data: [train],
      bases: [start, null],
      free: asSpaces(0),
      layers: asLayers(1),
      measure,
    })
    const optimizer = riemannianAdam({
      lr: 0.05,
      finalLrFraction: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      batchSize: null,
    })
    const result = await optimizer.optimize(
      problem,
      [start],
      { maxSteps: 3000, budgetSeconds: 60, gradTol: 0 },
      { rng: createRng(1) },
    )
    const found = result.rotations[0]
    expect(orthogonalityError(found)).toBeLessThan(1e-10)
    const planted = layerMetrics(test, q, null, [measure])
    const learned = layerMetrics(test, found, null, [measure])
    const random = layerMetrics(test, start, null, [measure])
    // Ground truth is sparse; a random basis is not; the optimizer recovers the planted level.
    expect(planted.nearZero).toBeGreaterThan(0.8)
    expect(random.nearZero).toBeLessThan(planted.nearZero - 0.2)
    expect(learned.nearZero).toBeGreaterThanOrEqual(planted.nearZero - 1e-9)
    // … and its objective on unseen inputs is as low as the planted basis's.
    expect(learned.measures.lp).toBeLessThanOrEqual(planted.measures.lp * 1.001)
  })
})
