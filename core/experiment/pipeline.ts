import type { RunConfig } from '../api/run-config.ts'
import type { RunSummary } from '../api/summary.ts'
import { initCompute } from '../backend/compute.ts'
import { createRng } from '../random/prng.ts'
import { changeSides } from '../rotation/transform.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { runAnalysesPhase } from './analyses-phase.ts'
import { type LayerEvaluation, evaluateLayers } from './evaluation.ts'
import { requireFinite } from './finite.ts'
import { inputCounts, runInputs } from './inputs.ts'
import { prepareModel } from './model-phase.ts'
import { optimizeBases } from './optimization.ts'
import { emitRunArtifacts } from './outputs.ts'
import { RunContext } from './run-context.ts'
import { loadRunData } from './run-data.ts'
import { buildSummary } from './run-summary.ts'
import { type PipelineOptions, runSink } from './sinks.ts'
import { functionPreservation } from './verification.ts'

export type { MetricRecord, RunArtifact } from './run-context.ts'
export type { PipelineOptions } from './sinks.ts'

const layerAt = (i: number): string => `layer ${i + 1}`

/** Every layer's held-out metrics must be finite numbers (NonFiniteError otherwise). */
function requireFiniteMetrics(what: string, layers: readonly LayerEvaluation[]): void {
  layers.forEach((l, i) => {
    const m = l.metrics
    requireFinite(
      `${what}, layer ${i + 1}`,
      [m.nearZero, m.hoyerSparsity, m.measure, m.fanIn],
      (j) => ['nearZero', 'hoyerSparsity', 'the measure', 'fanIn'][j],
    )
  })
}

/**
 * The whole method on one config (DESIGN.md §1), phase by phase: data → model (train or
 * import) → held-out metrics in the neuron basis → the bases, stage by stage → held-out
 * metrics in the learned bases and the function check → analyses → artifacts. Everything
 * it reports goes through one sink; callers (CLI, job worker) decide where that leads.
 */
export async function runPipeline(
  config: RunConfig,
  options: PipelineOptions,
): Promise<RunSummary> {
  const sink = runSink(options)
  const run = new RunContext(
    config,
    sink,
    options.baseDir ?? process.cwd(),
    options.signal,
    options.cache,
  )
  const { backend, data } = await run.phase('data', 'loading data', async () => ({
    backend: await initCompute(config.backend),
    data: loadRunData(config, run.baseDir, (m) => run.warn('data', m)),
  }))
  // The counts are checked against the split before anything is trained.
  const counts = inputCounts(run, data.split)
  const model = await run.phase('train', 'preparing the model', () => prepareModel(run, data))
  const inputs = runInputs(run, data, model.params, counts)
  const measure = createMeasure(config.rotation.measure)
  const none = changeSides(model.params.sizes.map(() => null))
  const before = await run.phase('evaluate', 'held-out metrics in the neuron basis', () =>
    evaluateLayers(run, inputs.held, none, 'neuron', measure),
  )
  requireFiniteMetrics('the held-out metrics in the neuron basis', before)
  const rng = createRng(config.seed).fork('rotation')
  const sources = {
    params: model.params,
    objectiveData: inputs.objective,
    x: data.xTrain,
    samples: inputs.objectiveCount,
  }
  const learned = await run.phase('rotate', 'optimizing the bases', () =>
    optimizeBases(run, {
      config,
      params: model.params,
      objective: inputs.objective,
      sources,
      measure,
      rng,
      report: {
        metric: (k, s, v) => run.metric(k, s, v),
        progress: (f, m, v) => run.report('rotate', f, m, v),
      },
    }),
  )
  requireFinite('the objective at the start of each layer', learned.startObjective, layerAt)
  requireFinite('the objective at the end of each layer', learned.endObjective, layerAt)
  const sides = changeSides(learned.changes)
  const after = await run.phase('verify', 'held-out metrics in the learned bases', () =>
    evaluateLayers(run, inputs.held, sides, 'learned', measure),
  )
  requireFiniteMetrics('the held-out metrics in the learned bases', after)
  const preservation = functionPreservation(model.params, learned.changes, inputs, model.testLogits)
  requireFinite('the function-preservation check (max |Δ logit|)', [preservation.maxAbsLogitDiff])
  const analyses = await run.phase('analyses', 'analyses', () =>
    runAnalysesPhase(run, {
      model,
      data,
      inputs,
      learned,
      sides,
      sources,
      measure,
      rng,
      before,
      after,
    }),
  )
  await run.phase('save', 'writing artifacts', () =>
    emitRunArtifacts(run, model.params, learned.changes),
  )
  const summary = sink.finish(
    buildSummary(run, {
      backend,
      data,
      inputs,
      model,
      learned,
      before,
      after,
      functionPreservation: preservation,
      analyses,
    }),
  )
  run.report('save', 1, 'done', undefined, true)
  return summary
}
