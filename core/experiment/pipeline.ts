import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { initCompute } from '../backend/compute.ts'
import { tfVersion } from '../backend/tf.ts'
import {
  type Dataset,
  type Split,
  gatherLabels,
  gatherRows,
  loadEmbeddedMnist,
  loadIdxDataset,
  randomSplit,
  readSplitFile,
} from '../data/index.ts'
import { BasiscopeError, CancelledError } from '../errors.ts'
import { accuracy, predictLogits } from '../model/forward.ts'
import { type LayerData, layerData } from '../jacobian/layer-data.ts'
import { type Mat, identity, orthogonalityError } from '../linalg/matrix.ts'
import {
  exportModelSafetensors,
  exportRotatedWeightsSafetensors,
  exportRotationsSafetensors,
} from '../model/io/export.ts'
import { importModel } from '../model/io/import.ts'
import { writeFileAtomic } from '../model/io/safetensors.ts'
import type { MlpParams } from '../model/mlp.ts'
import {
  exportObliqueTransformsSafetensors,
  exportTransformedWeightsSafetensors,
} from '../model/io/export-oblique.ts'
import { trainMlp } from '../model/train.ts'
import { agreementBaseline, channelAgreement } from '../analysis/basis-agreement.ts'
import { createRng } from '../random/prng.ts'
import { columnNormError, conditionNumber, inverseError } from '../rotation/oblique/manifold.ts'
import { createOptimizer } from '../rotation/optimizers/index.ts'
import { obliqueAdam } from '../rotation/optimizers/oblique-adam.ts'
import type { RotationOptimizer } from '../rotation/optimizers/optimizer.ts'
import {
  type Transform,
  basisSides,
  createProblemFor,
  initialParam,
  transformOf,
} from '../rotation/transform.ts'
import { planStages } from '../rotation/schemes.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import { type AbsHistogram, DEFAULT_ABS_HISTOGRAM } from '../sparsity/metrics/abs-histogram.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { APP_VERSION } from '../version.ts'
import { runAnalyses } from './analyses.ts'
import { baselineBases, basisFor } from './baselines.ts'
import type { RunConfig } from '../api/run-config.ts'
import { type ProgressEvent, progressReporter } from './progress.ts'
import type { HeldOutMetrics, LayerSummary, RunSummary } from './summary.ts'

export interface PipelineOptions {
  /** Where artifacts go; null writes nothing. */
  readonly outDir: string | null
  /** Base directory for relative file paths in the config (the config file's folder). */
  readonly baseDir?: string
  readonly signal?: AbortSignal
  onProgress?(event: ProgressEvent): void
  /** Every point of every series (training loss per batch, objective per step), unthrottled. */
  onMetric?(point: MetricRecord): void
  /** Tensors worth keeping with the run: rotations, mean |J| heatmaps, weights. */
  onArtifact?(artifact: RunArtifact): void
}

export interface MetricRecord {
  readonly key: string
  readonly step: number
  /** Seconds since the run started. */
  readonly wallTime: number
  readonly value: number
}

export interface RunArtifact {
  /**
   * 'rotation': the learned basis of a space as it acts, ã = X·a — R, or for oblique runs
   * T (meta.transform 'oblique'), whose inverse comes as a 'transform-inverse' artifact.
   */
  readonly kind:
    | 'rotation'
    | 'transform-inverse'
    | 'mean-abs-jacobian'
    | 'feature-template'
    | 'feature-inputs'
    | 'model-weight'
  readonly name: string
  readonly meta: Record<string, unknown>
  readonly shape: readonly number[]
  readonly data: Float32Array
}

interface LoadedData {
  readonly dataset: Dataset
  readonly split: Split
}

function loadData(config: RunConfig, baseDir: string): LoadedData {
  const data = config.data
  const at = (p: string): string => resolve(baseDir, p)
  if (data.source === 'mnist-embedded') {
    const dataset = loadEmbeddedMnist()
    if (data.split.kind === 'idx-files') {
      throw new BasiscopeError(
        'INVALID_CONFIG',
        'data.split.kind: "idx-files" needs data.source "mnist-idx"; use "random" or "file"',
        'data.split.kind',
      )
    }
    const split =
      data.split.kind === 'random'
        ? randomSplit(dataset.n, data.split.train, data.split.test, data.split.seed)
        : readSplitFile(at(data.split.file), dataset.n)
    return { dataset, split }
  }
  const train = loadIdxDataset(at(data.trainImages), at(data.trainLabels))
  const test = loadIdxDataset(at(data.testImages), at(data.testLabels))
  if (train.width !== test.width || train.height !== test.height) {
    throw new BasiscopeError(
      'INVALID_CONFIG',
      `data: train images are ${train.width}×${train.height} but test images are ${test.width}×${test.height}`,
      'data.testImages',
    )
  }
  const images = new Float32Array(train.images.length + test.images.length)
  images.set(train.images)
  images.set(test.images, train.images.length)
  const labels = new Uint8Array(train.n + test.n)
  labels.set(train.labels)
  labels.set(test.labels, train.n)
  const dataset: Dataset = {
    ...train,
    name: `${train.name}+${test.name}`,
    n: train.n + test.n,
    images,
    labels,
  }
  const split: Split =
    data.split.kind === 'idx-files'
      ? {
          train: Array.from({ length: train.n }, (_, i) => i),
          test: Array.from({ length: test.n }, (_, i) => train.n + i),
        }
      : data.split.kind === 'random'
        ? randomSplit(dataset.n, data.split.train, data.split.test, data.split.seed)
        : readSplitFile(at(data.split.file), dataset.n)
  return { dataset, split }
}

function checkModelFits(params: MlpParams, dataset: Dataset, file: string): void {
  const sizes = params.sizes
  if (sizes[0] !== dataset.dim || sizes[sizes.length - 1] !== dataset.classes) {
    throw new BasiscopeError(
      'INVALID_FILE',
      `${file}: the model maps ${sizes[0]} inputs to ${sizes[sizes.length - 1]} outputs, ` +
        `but the data has ${dataset.dim} pixels and ${dataset.classes} classes`,
      file,
    )
  }
}

function heldOut(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: ReturnType<typeof createMeasure>,
  threshold: number,
  histogram = true,
): { metrics: HeldOutMetrics; meanAbs: Float32Array; histogram: AbsHistogram | null } {
  // The heatmap and the |J| histogram ride along in the metrics' one pass over the Jacobians.
  const m = layerMetrics(data, rIn, rOut, [measure], threshold, {
    meanAbs: true,
    histogram: histogram ? DEFAULT_ABS_HISTOGRAM : undefined,
  })
  return {
    metrics: {
      nearZero: m.nearZero,
      hoyerSparsity: m.hoyerSparsity,
      measure: m.measures[measure.spec.name],
      fanIn: m.fanIn.mean,
    },
    meanAbs: m.meanAbs!,
    histogram: m.histogram,
  }
}

/** Keeps at most ~`max` evenly spaced points of a trace (always the first and last). */
export function downsample<T>(points: readonly T[], max = 200): T[] {
  if (points.length <= max) return [...points]
  const out: T[] = []
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))])
  return out
}

/**
 * The whole method on one config: data → model (train or import) → held-out metrics in
 * the neuron basis → rotation optimization by the chosen scheme → held-out metrics in
 * the learned bases, function preservation → artifacts. Pure engine: callers (CLI, job
 * worker) decide where progress goes.
 */
export async function runPipeline(
  config: RunConfig,
  options: PipelineOptions,
): Promise<RunSummary> {
  const t0 = performance.now()
  const report = progressReporter(options.onProgress)
  const signal = options.signal
  const check = (): void => {
    if (signal?.aborted) throw new CancelledError('run cancelled')
  }
  const baseDir = options.baseDir ?? process.cwd()
  const metric = (key: string, step: number, value: number): void =>
    options.onMetric?.({ key, step, wallTime: (performance.now() - t0) / 1000, value })

  report('data', 0, 'loading data', undefined, true)
  const backend = await initCompute(config.backend)
  const { dataset, split } = loadData(config, baseDir)
  const xTrain = gatherRows(dataset, split.train)
  const yTrain = gatherLabels(dataset, split.train)
  const xTest = gatherRows(dataset, split.test)
  const yTest = gatherLabels(dataset, split.test)
  check()

  // Model: train here, or import weights trained elsewhere.
  let params: MlpParams
  let trainSeconds = 0
  let trainHistory: RunSummary['model']['trainHistory'] = []
  if (config.model.source === 'train') {
    const m = config.model
    const result = await trainMlp(
      xTrain,
      yTrain,
      {
        sizes: [dataset.dim, ...m.hidden, dataset.classes],
        activation: m.activation,
        epochs: m.epochs,
        batchSize: m.batchSize,
        learningRate: m.learningRate,
        seed: m.seed ?? config.seed,
      },
      {
        signal,
        onProgress: (p) => {
          const step = (p.epoch - 1) * p.batches + p.batch
          metric('train.loss', step, p.loss)
          metric('train.accuracy', step, p.accuracy)
          report('train', p.fraction, `training epoch ${p.epoch}/${p.epochs}`, {
            epoch: p.epoch,
            batch: p.batch,
            loss: p.loss,
            accuracy: p.accuracy,
          })
        },
      },
    )
    params = result.params
    trainSeconds = result.seconds
    trainHistory = result.history
  } else {
    const file = resolve(baseDir, config.model.file)
    params = importModel(file, config.model.activation)
    checkModelFits(params, dataset, file)
  }
  check()
  const L = params.layers.length
  const testLogits = predictLogits(params, xTest, split.test.length)
  const testAccuracy = accuracy(testLogits, yTest, dataset.classes)
  report(
    'train',
    1,
    `model ready: test accuracy ${testAccuracy.toFixed(4)}`,
    { testAccuracy },
    true,
  )

  // Inputs: objective = first N of train, held-out = the test list (or its first N).
  const rot = config.rotation
  if (rot.samples > split.train.length) {
    throw new BasiscopeError(
      'INVALID_CONFIG',
      `rotation.samples: ${rot.samples} objective inputs asked for, but the split's train list has only ${split.train.length}`,
      'rotation.samples',
    )
  }
  const nHeld = Math.min(config.evaluation.heldOutSamples ?? split.test.length, split.test.length)
  const objectiveData = layerData(
    params,
    xTrain.subarray(0, rot.samples * dataset.dim),
    rot.samples,
  )
  const heldData = layerData(params, xTest.subarray(0, nHeld * dataset.dim), nHeld)
  const measure = createMeasure(rot.measure)
  const threshold = config.evaluation.nearZeroThreshold

  report('evaluate', 0, 'held-out metrics in the neuron basis', undefined, true)
  const before: HeldOutMetrics[] = []
  const histogramsBefore: AbsHistogram[] = []
  const heatmap = (k: number, basis: 'neuron' | 'learned', meanAbs: Float32Array): void =>
    options.onArtifact?.({
      kind: 'mean-abs-jacobian',
      name: `layer${k}.${basis}`,
      meta: { layer: k, basis, samples: nHeld },
      shape: [params.sizes[k], params.sizes[k - 1]],
      data: meanAbs,
    })
  for (let k = 1; k <= L; k++) {
    const h = heldOut(heldData[k - 1], null, null, measure, threshold)
    before.push(h.metrics)
    histogramsBefore.push(h.histogram!)
    heatmap(k, 'neuron', h.meanAbs)
    report('evaluate', k / L, `held-out metrics, layer ${k}`)
    check()
  }

  // Rotations: free spaces, initial bases, stages by scheme.
  const free = [
    ...(rot.freeInput ? [0] : []),
    ...Array.from({ length: L - 1 }, (_, i) => i + 1),
    ...(rot.freeOutput ? [L] : []),
  ]
  const rng = createRng(config.seed).fork('rotation')
  const sources = { params, objectiveData, x: xTrain, samples: rot.samples }
  // The optimizers' parameters per space: R, or M = T⁻¹ for oblique runs (starting at T = R).
  const kind = rot.transform
  const bases: (Mat | null)[] = params.sizes.map((_, i) =>
    free.includes(i)
      ? initialParam(kind, basisFor(rot.init, i, sources, rng.fork(`init-${i}`)))
      : null,
  )
  const startObjective = Array.from(
    { length: L },
    (_, i) =>
      createProblemFor(kind, {
        data: objectiveData,
        bases,
        free: [],
        layers: [i + 1],
        measure,
      }).evaluate([], { grad: false }).value,
  )
  const stages = planStages(rot.scheme, L, free)
  const optimizer = rotationOptimizer(config)
  // pairwise: each stage starts from (and holds the rest at) the initial bases; its
  // result is kept per side and compared afterwards.
  const initial = [...bases]
  const pairwise = { out: new Map<number, Mat>(), in: new Map<number, Mat>() }
  const stageOf = new Map<
    number,
    { steps: number; seconds: number; stopReason: string; trace: LayerSummary['trace'] }
  >()
  const tRot = performance.now()
  for (const [s, stage] of stages.entries()) {
    check()
    const stageBases = stage.isolated ? initial : bases
    const problem = createProblemFor(kind, {
      data: objectiveData,
      bases: stageBases,
      free: stage.free,
      layers: stage.layers,
      measure,
    })
    const side = stage.isolated ? ` (${stage.isolated.side}put side)` : ''
    const label = `layer${stage.layers.length > 1 ? 's' : ''} ${stage.layers.join('+')}${side}`
    const seriesKey =
      (stage.layers.length > 1 ? 'joint' : `layer${stage.layers[0]}`) +
      (stage.isolated ? `.${stage.isolated.side}` : '')
    const result = await optimizer.optimize(
      problem,
      stage.free.map((i) => stageBases[i]!),
      { maxSteps: rot.maxSteps, budgetSeconds: rot.budgetSeconds, gradTol: rot.gradTol, signal },
      {
        rng: rng.fork(`stage-${s}`),
        onStep: (r, f) => {
          metric(`objective.${seriesKey}`, r.step, r.value)
          metric(`gradNorm.${seriesKey}`, r.step, r.gradNorm)
          report(
            'rotate',
            (s + Math.min(1, f)) / stages.length,
            `optimizing ${label}: step ${r.step}`,
            {
              stage: s + 1,
              stages: stages.length,
              step: r.step,
              objective: r.value,
              gradNorm: r.gradNorm,
            },
          )
        },
      },
    )
    if (stage.isolated) {
      stage.free.forEach((i, j) => pairwise[stage.isolated!.side].set(i, result.rotations[j]))
    } else {
      stage.free.forEach((i, j) => (bases[i] = result.rotations[j]))
    }
    const trace = downsample(result.history).map((h) => [h.step, h.seconds, h.value] as const)
    for (const k of stage.layers) {
      // pairwise: a layer's entry describes its output-side stage, the one that comes first.
      if (stage.isolated && stageOf.has(k)) continue
      stageOf.set(k, {
        steps: result.steps,
        seconds: result.seconds,
        stopReason: result.stopReason,
        trace,
      })
    }
    if (result.stopReason === 'cancelled') check()
  }
  const rotationSeconds = (performance.now() - tRot) / 1000
  // pairwise: the run's bases are the output-side ones (the input side for R_0); how well
  // the two bases of each space agree is reported with the analyses.
  const agreement: {
    space: number
    meanAbsCos: number
    permutationDistance: number
    chance: number
  }[] = []
  if (rot.scheme === 'pairwise') {
    for (const i of free) bases[i] = pairwise.out.get(i) ?? pairwise.in.get(i) ?? bases[i]
    for (const [space, out] of pairwise.out) {
      const inside = pairwise.in.get(space)
      if (!inside) continue
      // Oblique: compared as the transforms act (rows of T), as for rotations.
      const a = channelAgreement(transformOf(kind, out).forward, transformOf(kind, inside).forward)
      agreement.push({
        space,
        meanAbsCos: a.meanAbsCos,
        permutationDistance: a.permutationDistance,
        chance: agreementBaseline(out.rows, { trials: 8, seed: config.seed }).mean,
      })
    }
  }

  report('verify', 0, 'held-out metrics in the learned bases', undefined, true)
  // What each layer's Jacobian takes on its two sides (R and R, or T_k and T_{k-1}⁻ᵀ).
  const sides = basisSides(kind, bases)
  const layers: LayerSummary[] = []
  for (let k = 1; k <= L; k++) {
    const endObjective = createProblemFor(kind, {
      data: objectiveData,
      bases,
      free: [],
      layers: [k],
      measure,
    }).evaluate([], { grad: false }).value
    const st = stageOf.get(k)
    const after = heldOut(heldData[k - 1], sides.in[k - 1], sides.out[k], measure, threshold)
    heatmap(k, 'learned', after.meanAbs)
    layers.push({
      layer: k,
      shape: [params.sizes[k], params.sizes[k - 1]],
      optimized: st !== undefined,
      optimizer: st ? optimizer.name : null,
      steps: st?.steps ?? 0,
      seconds: st?.seconds ?? 0,
      stopReason: st?.stopReason ?? null,
      objectiveStart: startObjective[k - 1],
      objectiveEnd: endObjective,
      heldOut: {
        before: before[k - 1],
        after: after.metrics,
      },
      trace: st?.trace ?? [],
      histogram: { before: histogramsBefore[k - 1], after: after.histogram! },
    })
    report('verify', k / (L + 1), `held-out metrics in the learned bases, layer ${k}`)
    check()
  }

  // Function preservation on the held-out inputs: the rotated network, run as such.
  const heldX = xTest.subarray(0, nHeld * dataset.dim)
  const heldY = yTest.subarray(0, nHeld)
  const original = testLogits.subarray(0, nHeld * dataset.classes)
  const transforms: (Transform | null)[] = bases.map((b) => (b ? transformOf(kind, b) : null))
  const rotatedOut = predictLogits(params, heldX, nHeld, transforms)
  let maxAbsLogitDiff = 0
  for (let i = 0; i < original.length; i++) {
    maxAbsLogitDiff = Math.max(maxAbsLogitDiff, Math.abs(original[i] - rotatedOut[i]))
  }
  // Rotations: max |RᵀR − I|, the numerical error. Oblique: max |MᵀM − I| of the direction
  // matrices M = T⁻¹ (unit columns), the largest |cos| between two learned directions —
  // how oblique the basis is, by design, not an error; their checks are in `oblique` below.
  const learned = transforms.filter((t): t is Transform => t !== null)
  const orth = Math.max(
    0,
    ...learned.map((t) => orthogonalityError(kind === 'oblique' ? t.inverse : t.forward)),
  )
  const oblique = kind === 'oblique' ? obliqueSummary(transforms, rot.maxCondition) : undefined

  const analyses = await runAnalyses({
    config,
    params,
    bases: sides.out,
    inBases: sides.in,
    transform: kind,
    free,
    objectiveData,
    heldData,
    measure,
    xTest: xTest.subarray(0, nHeld * dataset.dim),
    yTest: yTest.subarray(0, nHeld),
    testIndices: split.test.slice(0, nHeld),
    optimizer,
    rng: rng.fork('analyses'),
    signal,
    baselineBases: (name) => baselineBases(name, free, sources, rng.fork(`baseline-${name}`)),
    heldOut: (k, rIn, rOut) =>
      heldOut(heldData[k - 1], rIn, rOut, measure, threshold, false).metrics,
    known: { neuron: before, learned: layers.map((l) => l.heldOut.after) },
    progress: (f, message) => report('verify', 0.5 + 0.5 * f, `analyses: ${message}`),
    artifact: (a) => options.onArtifact?.(a),
  })
  if (agreement.length) analyses.agreement = agreement

  report('save', 0, 'writing artifacts', undefined, true)
  transforms.forEach((t, i) => {
    if (!t) return
    const shape = [t.forward.rows, t.forward.cols]
    if (kind === 'rotation') {
      options.onArtifact?.({
        kind: 'rotation',
        name: `R${i}`,
        meta: { space: i },
        shape,
        data: Float32Array.from(t.forward.data),
      })
      return
    }
    options.onArtifact?.({
      kind: 'rotation',
      name: `T${i}`,
      meta: { space: i, transform: 'oblique', note: 'ã = T·a; invertible, not orthogonal' },
      shape,
      data: Float32Array.from(t.forward.data),
    })
    options.onArtifact?.({
      kind: 'transform-inverse',
      name: `Tinv${i}`,
      meta: { space: i, transform: 'oblique', note: 'a = Tinv·ã; columns = unit basis directions' },
      shape,
      data: Float32Array.from(t.inverse.data),
    })
  })
  params.layers.forEach((l, i) => {
    for (const [part, data, shape] of [
      ['weight', l.weight, [l.outDim, l.inDim]],
      ['bias', l.bias, [l.outDim]],
    ] as const) {
      options.onArtifact?.({
        kind: 'model-weight',
        name: `fc${i + 1}.${part}`,
        meta: { layer: i + 1, activation: params.activation },
        shape,
        data,
      })
    }
  })
  const hidden = Array.from({ length: L - 1 }, (_, i) => {
    const t = transforms[i + 1]
    const eye = identity(params.sizes[i + 1])
    return t ?? { forward: eye, inverse: eye }
  })
  let artifacts: RunSummary['artifacts'] = {
    model: null,
    rotations: null,
    rotatedWeights: null,
    summary: null,
  }
  if (options.outDir) {
    const dir = resolve(options.outDir)
    mkdirSync(dir, { recursive: true })
    const metadata = { scheme: rot.scheme, measure: JSON.stringify(rot.measure) }
    artifacts = { ...artifacts, model: join(dir, 'model.safetensors') }
    exportModelSafetensors(params, artifacts.model!)
    if (kind === 'oblique') {
      // Not rotations: T and T⁻¹ side by side, checked to invert each other.
      artifacts = {
        ...artifacts,
        transforms: join(dir, 'transforms.safetensors'),
        transformedWeights: join(dir, 'transformed-weights.safetensors'),
      }
      exportObliqueTransformsSafetensors(hidden, artifacts.transforms!, {
        ...metadata,
        maxCondition: String(rot.maxCondition),
      })
      exportTransformedWeightsSafetensors(params, hidden, artifacts.transformedWeights!)
    } else {
      const rotations = hidden.map((t) => t.forward)
      artifacts = {
        ...artifacts,
        rotations: join(dir, 'rotations.safetensors'),
        rotatedWeights: join(dir, 'rotated-weights.safetensors'),
      }
      exportRotationsSafetensors(rotations, artifacts.rotations!, metadata)
      exportRotatedWeightsSafetensors(params, rotations, artifacts.rotatedWeights!)
    }
    artifacts = { ...artifacts, summary: join(dir, 'summary.json') }
  }
  const summary: RunSummary = {
    app: { name: 'basiscope', version: APP_VERSION },
    backend: backend.name,
    compute: { threads: backend.threads, versions: backend.versions },
    tfjsVersion: tfVersion(),
    config,
    data: {
      name: dataset.name,
      sha256: dataset.sha256,
      train: split.train.length,
      test: split.test.length,
      objectiveSamples: rot.samples,
      heldOutSamples: nHeld,
    },
    model: {
      layers: [...params.sizes],
      activation: params.activation,
      source: config.model.source,
      testAccuracy,
      trainSeconds,
      trainHistory,
    },
    rotation: {
      scheme: rot.scheme,
      measure: rot.measure,
      optimizer: rot.optimizer,
      init: rot.init,
      free,
      seconds: rotationSeconds,
      layers,
      orthogonalityError: orth,
      transform: kind,
      ...(oblique ? { oblique } : {}),
    },
    functionPreservation: {
      maxAbsLogitDiff,
      accuracyBefore: accuracy(original, heldY, dataset.classes),
      accuracyAfter: accuracy(rotatedOut, heldY, dataset.classes),
      samples: nHeld,
    },
    analyses,
    artifacts,
    seconds: (performance.now() - t0) / 1000,
  }
  if (artifacts.summary) writeJsonAtomic(artifacts.summary, summary)
  report('save', 1, 'done', undefined, true)
  return summary
}

/** The rotation optimizer a config asks for, or Adam on the oblique manifold for oblique runs. */
function rotationOptimizer(config: RunConfig): RotationOptimizer {
  const rot = config.rotation
  if (rot.transform !== 'oblique') return createOptimizer(rot.optimizer)
  // parseRunConfig allows only riemannian-adam settings with oblique transforms.
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

/**
 * What an oblique run checks about its transforms, per space and at worst: κ₂(T), how far
 * the basis directions (columns of T⁻¹) are from unit length, and max |T·T⁻¹ − I| of the
 * F32 copies that are stored and exported.
 */
function obliqueSummary(
  transforms: readonly (Transform | null)[],
  maxCondition: number,
): NonNullable<RunSummary['rotation']['oblique']> {
  const f32 = (m: Mat): Mat => ({ ...m, data: Float64Array.from(Float32Array.from(m.data)) })
  const spaces = transforms.flatMap((t, space) =>
    t
      ? [
          {
            space,
            condition: conditionNumber(t.forward),
            columnNormError: columnNormError(t.inverse),
            inverseError: inverseError(f32(t.forward), f32(t.inverse)),
          },
        ]
      : [],
  )
  const worst = (key: 'condition' | 'columnNormError' | 'inverseError'): number =>
    Math.max(0, ...spaces.map((s) => s[key]))
  return {
    maxCondition,
    condition: worst('condition'),
    columnNormError: worst('columnNormError'),
    inverseError: worst('inverseError'),
    spaces,
  }
}

/** Writes JSON via a temp file and rename, so a crash never leaves half a summary. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, Buffer.from(JSON.stringify(value, null, 2) + '\n'))
}
