import type { RunConfig } from '../api/run-config.ts'
import type { RunSummary } from '../api/summary.ts'
import { initCompute } from '../backend/compute.ts'
import { createRng } from '../random/prng.ts'
import { changeSides } from '../rotation/transform.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { runAnalysesPhase } from './analyses-phase.ts'
import { evaluateLayers } from './evaluation.ts'
import { runInputs } from './inputs.ts'
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
    data: loadRunData(config, run.baseDir),
  }))
  const model = await run.phase('train', 'preparing the model', () => prepareModel(run, data))
  const inputs = runInputs(run, data, model.params)
  const measure = createMeasure(config.rotation.measure)
  const none = changeSides(model.params.sizes.map(() => null))
  const before = await run.phase('evaluate', 'held-out metrics in the neuron basis', () =>
    evaluateLayers(run, inputs.held, none, 'neuron', measure),
  )
  const rng = createRng(config.seed).fork('rotation')
  const sources = {
    params: model.params,
    objectiveData: inputs.objective,
    x: data.xTrain,
    samples: config.rotation.samples,
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
  const sides = changeSides(learned.changes)
  const after = await run.phase('verify', 'held-out metrics in the learned bases', () =>
    evaluateLayers(run, inputs.held, sides, 'learned', measure),
  )
  const preservation = functionPreservation(model.params, learned.changes, inputs, model.testLogits)
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
