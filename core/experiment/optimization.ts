import type { RunConfig } from '../api/run-config.ts'
import { agreementBaseline, channelAgreement } from '../analysis/basis-agreement.ts'
import { BasiscopeError } from '../errors.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import type { Mat } from '../linalg/matrix.ts'
import { type Layer, type Space, mapLayers, mapSpaces } from '../model/indices.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { Rng } from '../random/prng.ts'
import { createOptimizer } from '../rotation/optimizers/index.ts'
import { obliqueAdam } from '../rotation/optimizers/oblique-adam.ts'
import type { OptimizeResult, RotationOptimizer } from '../rotation/optimizers/optimizer.ts'
import { type Stage, freeSpaces, planStages } from '../rotation/schemes.ts'
import {
  type BasisChange,
  type TransformKind,
  createProblemFor,
  initialParam,
  basisChangeOf,
} from '../rotation/transform.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import type { AnalysesSummary, LayerSummary } from '../api/summary.ts'
import { type BasisSources, basisFor } from './baselines.ts'
import type { RunContext } from './run-context.ts'

/** How one layer's stage went (a layer no stage optimized has none). */
export interface StageOutcome {
  readonly steps: number
  readonly seconds: number
  readonly stopReason: string
  readonly trace: LayerSummary['trace']
}

/** The learned bases and how they were found. */
export interface LearnedBases {
  readonly kind: TransformKind
  /** Activation spaces with a learned basis (0 = pixels, L = logits). */
  readonly free: readonly Space[]
  /** The optimizers' parameters per space: R, or M = T⁻¹ for oblique runs (null: fixed). */
  readonly params: readonly (Mat | null)[]
  /** The change of basis of each space (null: the neuron basis). */
  readonly changes: readonly (BasisChange | null)[]
  readonly optimizer: RotationOptimizer
  readonly stages: ReadonlyMap<Layer, StageOutcome>
  /** The objective of each layer (entry k−1 is layer k) at the initial bases, before any stage ran, and at the end. */
  readonly startObjective: readonly number[]
  readonly endObjective: readonly number[]
  readonly seconds: number
  readonly agreement?: AnalysesSummary['agreement']
}

/** Keeps at most ~`max` evenly spaced points of a trace (always the first and last). */
export function downsample<T>(points: readonly T[], max = 200): T[] {
  if (points.length <= max) return [...points]
  const out: T[] = []
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))])
  return out
}

/** Where a rotation phase reports: its metric series and its progress (0..1 of the phase). */
export interface StageReporter {
  metric(key: string, step: number, value: number): void
  progress(fraction: number, message: string, values?: Record<string, number>): void
}

/** One network's bases to learn: the config to follow, the model, its inputs, the measure. */
export interface BasesTask {
  readonly config: RunConfig
  readonly params: MlpParams
  readonly objective: readonly LayerData[]
  readonly sources: BasisSources
  readonly measure: Measure
  readonly rng: Rng
  readonly report: StageReporter
}

/**
 * The rotation phase: initial bases by `rotation.init`, then the scheme's stages in turn,
 * each optimizing its free spaces against its layers with the others held where they are.
 * pairwise: each stage starts from (and holds the rest at) the initial bases; both bases of
 * a space are kept and compared, and the output-side one (input side for R_0) is the run's.
 */
export async function optimizeBases(run: RunContext, task: BasesTask): Promise<LearnedBases> {
  const { config, params, objective, sources, measure, rng } = task
  const rot = config.rotation
  const L = params.layers.length
  const kind = rot.transform
  const free = freeSpaces(config, L)
  const bases: (Mat | null)[] = mapSpaces(params.sizes, (_, s) =>
    free.includes(s)
      ? initialParam(kind, basisFor(rot.init, s, sources, rng.fork(`init-${s}`)))
      : null,
  )
  const layerValue = (b: readonly (Mat | null)[], k: Layer) =>
    createProblemFor(kind, { data: objective, bases: b, free: [], layers: [k], measure }).evaluate(
      [],
      { grad: false },
    ).value
  const startObjective = mapLayers(params.layers, (_, k) => layerValue(bases, k))
  const stages = planStages(rot.scheme, L, free)
  const optimizer = rotationOptimizer(config)
  const initial = [...bases]
  const pairwise = { out: new Map<Space, Mat>(), in: new Map<Space, Mat>() }
  const outcomes = new Map<Layer, StageOutcome>()
  const t0 = performance.now()
  for (const [s, stage] of stages.entries()) {
    run.check()
    const stageBases = stage.isolated ? initial : bases
    const result = await runStage(run, task, optimizer, stage, s, stages.length, {
      kind,
      bases: stageBases,
      objective,
      measure,
      rng: rng.fork(`stage-${s}`),
    })
    const found = stage.isolated ? pairwise[stage.isolated.side] : null
    stage.free.forEach((s, j) =>
      found ? found.set(s, result.rotations[j]) : (bases[s] = result.rotations[j]),
    )
    const trace = downsample(result.history).map(
      (h) => [h.step, h.seconds, h.value] as [number, number, number],
    )
    for (const k of stage.layers) {
      // pairwise: a layer's entry describes its output-side stage, the one that comes first.
      if (stage.isolated && outcomes.has(k)) continue
      outcomes.set(k, {
        steps: result.steps,
        seconds: result.seconds,
        stopReason: result.stopReason,
        trace,
      })
    }
    if (result.stopReason === 'cancelled') run.check()
  }
  const seconds = (performance.now() - t0) / 1000
  const agreement =
    rot.scheme === 'pairwise'
      ? settlePairwise(kind, free, bases, pairwise, run.config.seed)
      : undefined
  return {
    kind,
    free,
    params: bases,
    changes: bases.map((b) => (b ? basisChangeOf(kind, b) : null)),
    optimizer,
    stages: outcomes,
    startObjective,
    endObjective: mapLayers(params.layers, (_, k) => layerValue(bases, k)),
    seconds,
    agreement,
  }
}

/** One stage: its problem, its optimizer run, its progress and metric series. */
async function runStage(
  run: RunContext,
  task: BasesTask,
  optimizer: RotationOptimizer,
  stage: Stage,
  index: number,
  count: number,
  problem: {
    kind: TransformKind
    bases: readonly (Mat | null)[]
    objective: readonly LayerData[]
    measure: Measure
    rng: Rng
  },
): Promise<OptimizeResult> {
  const rot = task.config.rotation
  const { report } = task
  const side = stage.isolated ? ` (${stage.isolated.side}put side)` : ''
  const label = `layer${stage.layers.length > 1 ? 's' : ''} ${stage.layers.join('+')}${side}`
  const series =
    (stage.layers.length > 1 ? 'joint' : `layer${stage.layers[0]}`) +
    (stage.isolated ? `.${stage.isolated.side}` : '')
  report.metric(`stageStart.${series}`, 0, run.elapsed())
  const stageProblem = createProblemFor(problem.kind, {
    data: problem.objective,
    bases: problem.bases,
    free: stage.free,
    layers: stage.layers,
    measure: problem.measure,
  })
  // A minibatch optimizer's own values are noisy; the full objective at steps 1, 2, 4, 8, …
  // and at the end is the curve to read. Its cost stays out of the stage's budget but not
  // out of the run's wall time, so checkpoints past step 1 stop once they have taken
  // CHECKPOINT_SHARE of the budget (a full pass over layer 1's inputs costs ~0.2 s).
  let checkpointSeconds = 0
  const full = (step: number, at: readonly Mat[]) => {
    const t0 = performance.now()
    report.metric(`objectiveFull.${series}`, step, stageProblem.evaluate(at, { grad: false }).value)
    checkpointSeconds += (performance.now() - t0) / 1000
  }
  const checkpointDue = (step: number): boolean =>
    step === 1 || (isPowerOfTwo(step) && checkpointSeconds < CHECKPOINT_SHARE * rot.budgetSeconds)
  let lastCheckpoint = 0
  const result = await optimizer.optimize(
    stageProblem,
    stage.free.map((s) => problem.bases[s]!),
    {
      maxSteps: rot.maxSteps,
      budgetSeconds: rot.budgetSeconds,
      gradTol: rot.gradTol,
      signal: run.signal,
    },
    {
      rng: problem.rng,
      onStep: (r, f, current) => {
        report.metric(`objective.${series}`, r.step, r.value)
        if (checkpointDue(r.step)) {
          full(r.step, current())
          lastCheckpoint = r.step
        }
        report.metric(`gradNorm.${series}`, r.step, r.gradNorm)
        report.progress((index + Math.min(1, f)) / count, `optimizing ${label}: step ${r.step}`, {
          stage: index + 1,
          stages: count,
          step: r.step,
          objective: r.value,
          gradNorm: r.gradNorm,
        })
      },
    },
  )
  if (result.steps > lastCheckpoint) full(result.steps, result.rotations)
  return result
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0
/** The share of a stage's budget its full-objective checkpoints may take (step 1 and the last are always taken). */
const CHECKPOINT_SHARE = 0.05

/**
 * pairwise: the run's bases are the output-side ones (the input side for R_0); how well the
 * two bases of each space agree is reported with the analyses. Oblique bases are compared
 * as the transforms act (rows of T), as rotations are.
 */
function settlePairwise(
  kind: TransformKind,
  free: readonly Space[],
  bases: (Mat | null)[],
  found: { out: Map<Space, Mat>; in: Map<Space, Mat> },
  seed: number,
): NonNullable<AnalysesSummary['agreement']> {
  for (const s of free) bases[s] = found.out.get(s) ?? found.in.get(s) ?? bases[s]
  const agreement: NonNullable<AnalysesSummary['agreement']> = []
  for (const [space, out] of found.out) {
    const inside = found.in.get(space)
    if (!inside) continue
    const a = channelAgreement(
      basisChangeOf(kind, out).forward,
      basisChangeOf(kind, inside).forward,
    )
    agreement.push({
      space,
      meanAbsCos: a.meanAbsCos,
      permutationDistance: a.permutationDistance,
      chance: agreementBaseline(out.rows, { trials: 8, seed }).mean,
    })
  }
  return agreement
}

/** The rotation optimizer a config asks for, or Adam on the oblique manifold for oblique runs. */
function rotationOptimizer(config: RunConfig): RotationOptimizer {
  const rot = config.rotation
  if (rot.transform !== 'oblique') return createOptimizer(rot.optimizer)
  // The config schema allows only riemannian-adam settings with oblique transforms.
  if (rot.optimizer.name !== 'riemannian-adam') {
    throw new BasiscopeError(
      'INVALID_CONFIG',
      'rotation.optimizer.name: oblique transforms take the "riemannian-adam" settings',
      'rotation.optimizer.name',
    )
  }
  return obliqueAdam({
    ...rot.optimizer,
    maxCondition: rot.maxCondition,
    barrier: rot.obliqueBarrier,
  })
}
