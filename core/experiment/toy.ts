import {
  basisFromColumns,
  dimensionsPerFeature,
  featureRecovery,
  trainToyModel,
} from '../analysis/superposition.ts'
import { initCompute } from '../backend/compute.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import { type Mat, identity } from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'
import { riemannianAdam } from '../rotation/optimizers/riemannian-adam.ts'
import { createProblem } from '../rotation/problem.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { asLayer, asLayers, asSpaces } from '../model/indices.ts'

export interface ToyOptions {
  readonly features: number
  readonly hidden: number
  readonly probability: number
  readonly importanceDecay: number
  readonly trainSteps: number
  readonly rotationSteps: number
  readonly seed: number
}

export const DEFAULT_TOY: ToyOptions = {
  features: 8,
  hidden: 8,
  probability: 0.05,
  importanceDecay: 1,
  trainSteps: 3000,
  rotationSteps: 2000,
  seed: 0,
}

type Recovery = { meanMaxCos: number; recovered: number }

export interface ToySummary {
  readonly options: ToyOptions
  readonly model: { finalLoss: number; represented: number; dimensionsPerFeature: number }
  /** How well each basis's directions line up with the known features (max |cos| per feature). */
  readonly recovery: { learned: Recovery; neuron: Recovery; random: Recovery; ideal: Recovery }
  readonly objective: { start: number; end: number }
}

/**
 * Toy models of superposition (Elhage et al. 2022) as a check with a known answer: n sparse
 * features embedded in m hidden dimensions by a trained W. The hidden layer's Jacobian is
 * W itself, so the method rotates the hidden space to make R·W sparse; with m ≥ n the
 * features are orthogonal and a sparse R·W means each direction is one feature.
 */
export async function runToy(options: ToyOptions): Promise<ToySummary> {
  await initCompute()
  const toy = trainToyModel({
    n: options.features,
    m: options.hidden,
    p: options.probability,
    importanceDecay: options.importanceDecay,
    steps: options.trainSteps,
    lr: 1e-2,
    seed: options.seed,
  })
  const w = toy.W
  const data: LayerData = {
    layer: asLayer(1),
    inDim: w.cols,
    outDim: w.rows,
    weight: Float32Array.from(w.data),
    derivatives: null,
    n: 1,
  }
  const measure = createMeasure({ name: 'lp', p: 0.5, eps: 1e-3 })
  const rng = createRng(options.seed).fork('toy-rotation')
  const start = haarRotation(w.rows, rng.fork('start'))
  const problem = createProblem({
    data: [data],
    bases: [null, start],
    free: asSpaces(1),
    layers: asLayers(1),
    measure,
  })
  const result = await riemannianAdam({
    lr: 0.02,
    finalLrFraction: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    batchSize: null,
    warmupSteps: 20,
  }).optimize(
    problem,
    [start],
    { maxSteps: options.rotationSteps, budgetSeconds: 120, gradTol: 1e-9 },
    { rng },
  )
  const recovery = (basis: Mat): Recovery => {
    const r = featureRecovery(basis, w)
    return { meanMaxCos: r.meanMaxCos, recovered: r.recovered }
  }
  return {
    options,
    model: {
      finalLoss: toy.finalLoss,
      represented: featureRecovery(identity(w.rows), w).represented,
      dimensionsPerFeature: dimensionsPerFeature(w),
    },
    recovery: {
      learned: recovery(result.rotations[0]),
      neuron: recovery(identity(w.rows)),
      random: recovery(start),
      ideal: recovery(basisFromColumns(w)),
    },
    objective: {
      start: problem.evaluate([start], { grad: false }).value,
      end: problem.evaluate(result.rotations, { grad: false }).value,
    },
  }
}
