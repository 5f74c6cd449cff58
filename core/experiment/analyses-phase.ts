import { baselineCacheKey, cachedBaselines } from './baseline-cache.ts'
import type { RunSummary } from '../api/summary.ts'
import { atLayer } from '../model/indices.ts'
import type { Rng } from '../random/prng.ts'
import type { BasisSides } from '../rotation/transform.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import { runAnalyses } from './analyses.ts'
import { randomNetworkControl } from './control.ts'
import { type BasisSources, baselineBases } from './baselines.ts'
import { type LayerEvaluation, heldOutMetrics } from './evaluation.ts'
import type { RunInputs } from './inputs.ts'
import type { RunModel } from './model-phase.ts'
import type { LearnedBases } from './optimization.ts'
import type { RunContext } from './run-context.ts'
import type { RunData } from './run-data.ts'

/** What the analyses build on: the phases' results so far. */
export interface AnalysesInputs {
  readonly model: RunModel
  readonly data: RunData
  readonly inputs: RunInputs
  readonly learned: LearnedBases
  readonly sides: BasisSides
  readonly sources: BasisSources
  readonly measure: Measure
  readonly rng: Rng
  readonly before: readonly LayerEvaluation[]
  readonly after: readonly LayerEvaluation[]
}

/** The analyses `config.analyses` asks for, on the run's learned bases and its inputs. */
export async function runAnalysesPhase(
  run: RunContext,
  a: AnalysesInputs,
): Promise<RunSummary['analyses']> {
  const { config } = run
  const { inputs, learned, measure, rng } = a
  const key = baselineCacheKey(run, a.data, a.model.params, learned.free, inputs.heldCount)
  const analyses = await runAnalyses({
    config,
    params: a.model.params,
    bases: a.sides.out,
    inBases: a.sides.in,
    transform: learned.kind,
    free: learned.free,
    objectiveData: inputs.objective,
    objectiveX: inputs.objectiveX,
    heldData: inputs.held,
    measure,
    xTest: inputs.heldX,
    yTest: inputs.heldY,
    testIndices: a.data.split.test.slice(0, inputs.heldCount),
    optimizer: learned.optimizer,
    rng: rng.fork('analyses'),
    signal: run.signal,
    baselineBases: (name) =>
      baselineBases(name, learned.free, a.sources, rng.fork(`baseline-${name}`)),
    heldOut: (k, rIn, rOut) =>
      heldOutMetrics(
        atLayer(inputs.held, k),
        rIn,
        rOut,
        measure,
        config.evaluation.nearZeroThreshold,
      ),
    known: { neuron: a.before.map((b) => b.metrics), learned: a.after.map((l) => l.metrics) },
    progress: (f, message) => run.report('analyses', f, `analyses: ${message}`),
    baselineCache: {
      get: () => cachedBaselines(run.cache, key),
      set: (value) => run.cache?.set(key, value),
    },
    artifact: (artifact) => run.artifact(artifact),
  })
  if (learned.agreement?.length) analyses.agreement = learned.agreement
  if (config.analyses.control) {
    analyses.control = await randomNetworkControl(
      run,
      { params: a.model.params, before: a.before, after: a.after },
      inputs,
      measure,
      rng,
      (f, message) => run.report('analyses', f, message),
    )
  }
  return analyses
}
