import type { LayerSummary, RunSummary } from '../api/summary.ts'
import type { BackendInfo } from '../backend/compute.ts'
import { tfVersion } from '../backend/tf.ts'
import { type Layer, atLayer, mapLayers } from '../model/indices.ts'
import { APP_VERSION } from '../version.ts'
import type { LayerEvaluation } from './evaluation.ts'
import type { RunInputs } from './inputs.ts'
import type { RunModel } from './model-phase.ts'
import type { LearnedBases } from './optimization.ts'
import type { RunContext } from './run-context.ts'
import type { RunData } from './run-data.ts'
import { obliqueChecks, orthogonality } from './verification.ts'

/** Everything a summary is made of, as the phases produced it. */
export interface SummaryParts {
  readonly backend: BackendInfo
  readonly data: RunData
  readonly inputs: RunInputs
  readonly model: RunModel
  readonly learned: LearnedBases
  readonly before: readonly LayerEvaluation[]
  readonly after: readonly LayerEvaluation[]
  readonly functionPreservation: RunSummary['functionPreservation']
  readonly analyses: RunSummary['analyses']
}

/** The run's summary, before the sink adds the files it wrote. */
export function buildSummary(run: RunContext, p: SummaryParts): Omit<RunSummary, 'artifacts'> {
  const { config } = run
  const rot = config.rotation
  const { learned } = p
  return {
    app: { name: 'basiscope', version: APP_VERSION },
    backend: p.backend.name,
    compute: { threads: p.backend.threads, versions: p.backend.versions },
    tfjsVersion: tfVersion(),
    config,
    data: {
      name: p.data.dataset.name,
      sha256: p.data.dataset.sha256,
      train: p.data.split.train.length,
      test: p.data.split.test.length,
      objectiveSamples: p.inputs.objectiveCount,
      heldOutSamples: p.inputs.heldCount,
    },
    model: p.model.summary,
    rotation: {
      scheme: rot.scheme,
      measure: rot.measure,
      optimizer: rot.optimizer,
      init: rot.init,
      free: [...learned.free],
      seconds: learned.seconds,
      layers: mapLayers(p.after, (after, k) => layerSummary(p, k, after)),
      orthogonalityError: orthogonality(learned.changes),
      transform: learned.kind,
      ...(learned.kind === 'oblique'
        ? { oblique: obliqueChecks(learned.changes, rot.maxCondition) }
        : {}),
    },
    functionPreservation: p.functionPreservation,
    analyses: p.analyses,
    ...(run.warnings.length > 0 ? { warnings: [...run.warnings] } : {}),
    phases: run.timings(),
    seconds: run.elapsed(),
  }
}

function layerSummary(p: SummaryParts, k: Layer, after: LayerEvaluation): LayerSummary {
  const { learned } = p
  const stage = learned.stages.get(k)
  const data = atLayer(p.inputs.held, k)
  const before = atLayer(p.before, k)
  return {
    layer: k,
    shape: [data.outDim, data.inDim],
    optimized: stage !== undefined,
    optimizer: stage ? learned.optimizer.name : null,
    steps: stage?.steps ?? 0,
    seconds: stage?.seconds ?? 0,
    stopReason: stage?.stopReason ?? null,
    objectiveStart: atLayer(learned.startObjective, k),
    objectiveEnd: atLayer(learned.endObjective, k),
    heldOut: { before: before.metrics, after: after.metrics },
    trace: stage?.trace ?? [],
    histogram: { before: before.histogram, after: after.histogram },
  }
}
