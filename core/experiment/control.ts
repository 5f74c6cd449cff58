import type { RunConfig } from '../api/run-config.ts'
import type { AnalysesSummary } from '../api/summary.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { atLayer, layerIn, layerOut, mapLayers } from '../model/indices.ts'
import type { MlpParams } from '../model/mlp.ts'
import { initialLayers } from '../model/train.ts'
import type { Rng } from '../random/prng.ts'
import { changeSides } from '../rotation/transform.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import { type LayerEvaluation, heldOutMetrics } from './evaluation.ts'
import type { RunInputs } from './inputs.ts'
import { optimizeBases } from './optimization.ts'
import type { RunContext } from './run-context.ts'

export type ControlSummary = NonNullable<AnalysesSummary['control']>

/**
 * The random-network control (issue 10): the same method — scheme, measure, optimizer,
 * inputs — on an untrained network of the same shape (PyTorch's initialization from the
 * run's seed). A basis that makes a random network just as sparse says little about what
 * the trained network computes; the gain on each is what to compare.
 */
export async function randomNetworkControl(
  run: RunContext,
  trained: {
    params: MlpParams
    before: readonly LayerEvaluation[]
    after: readonly LayerEvaluation[]
  },
  inputs: RunInputs,
  measure: Measure,
  rng: Rng,
  progress: (fraction: number, message: string) => void,
): Promise<ControlSummary> {
  const base = run.config
  const budget = base.analyses.control?.budgetSeconds ?? base.rotation.budgetSeconds
  const config: RunConfig = { ...base, rotation: { ...base.rotation, budgetSeconds: budget } }
  const { sizes, activation } = trained.params
  const seed = base.model.source === 'train' ? (base.model.seed ?? base.seed) : base.seed
  const params: MlpParams = { sizes, activation, layers: initialLayers(sizes, seed) }
  const samples = inputs.objectiveCount
  const objective = layerData(params, inputs.objectiveX, samples)
  const held = layerData(params, inputs.heldX, inputs.heldCount)
  const threshold = base.evaluation.nearZeroThreshold
  const neuron = held.map((d) => heldOutMetrics(d, null, null, measure, threshold))
  const learned = await optimizeBases(run, {
    config,
    params,
    objective,
    sources: { params, objectiveData: objective, x: inputs.objectiveX, samples },
    measure,
    rng: rng.fork('control'),
    report: {
      metric: (key, step, value) => run.metric(`control.${key}`, step, value),
      progress: (f, message) => progress(f, `random-network control: ${message}`),
    },
  })
  const sides = changeSides(learned.changes)
  return {
    budgetSeconds: budget,
    seed,
    layers: mapLayers(held, (d, k) => ({
      layer: k,
      trained: {
        neuron: atLayer(trained.before, k).metrics,
        learned: atLayer(trained.after, k).metrics,
      },
      random: {
        neuron: atLayer(neuron, k),
        learned: heldOutMetrics(
          d,
          sides.in[layerIn(k)],
          sides.out[layerOut(k)],
          measure,
          threshold,
        ),
      },
    })),
  }
}
