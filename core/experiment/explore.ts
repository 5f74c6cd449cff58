import { inputJacobians, jacobianMetrics, maxAbs } from '../analysis/input-jacobians.ts'
import { type PerInputSparsity, perInputSparsity } from '../analysis/input-ranking.ts'
import type { HeldOutMetrics } from '../api/summary.ts'
import { initCompute } from '../backend/compute.ts'
import { BasiscopeError } from '../errors.ts'
import { type LayerData, subsetLayerData } from '../jacobian/layer-data.ts'
import { argmaxRows, predictLogits } from '../model/forward.ts'
import { asLayer, atLayer, layerIn, layerOut } from '../model/indices.ts'
import type { MlpParams } from '../model/mlp.ts'
import { type BasisChange, type BasisSides, changeSides } from '../rotation/transform.ts'
import { type Measure, createMeasure } from '../sparsity/measures/index.ts'
import { parseRunConfig } from './config.ts'
import { runInputs } from './inputs.ts'
import { RunContext, type RunSink } from './run-context.ts'
import { loadRunData } from './run-data.ts'

/**
 * The input explorer's use case: a recorded run's held-out inputs reproduced exactly as the
 * run had them, one input's Jacobians in the neuron and the learned basis, and the per-input
 * sparsity a ranking sorts by. The service's explore worker runs these and keeps the
 * prepared runs (../service/jobs/explore-worker.ts).
 */

/** What the worker needs to reproduce a run's held-out inputs and its bases. */
export interface RunSource {
  /** Names the run and the artifacts read (a worker keeps what it prepared per key). */
  readonly key: string
  readonly runId: number
  /** The run's recorded config and the folder its relative file paths start from. */
  readonly config: unknown
  readonly baseDir: string
  /** The data's hash as the run recorded it; other data than the run's is refused. */
  readonly datasetSha256: string | null
  readonly params: MlpParams
  /** Per space 0 … L: the learned change of basis, or null where the run kept the neurons. */
  readonly changes: readonly (BasisChange | null)[]
}

export interface HeldOutIndex {
  /** The model's widths d_0 … d_L. */
  readonly sizes: readonly number[]
  readonly width: number
  readonly height: number
  readonly classes: number
  readonly labels: Uint8Array
  readonly predictions: Int32Array
  /** Canonical dataset index of each held-out input (the split's test list). */
  readonly datasetIndex: Int32Array
}

export interface BasisJacobian {
  readonly jacobian: Float32Array
  readonly maxAbs: number
  readonly metrics: HeldOutMetrics
}

export interface InputJacobiansResult {
  readonly input: number
  readonly logits: Float32Array
  /** The input's pixels, [height × width] in [0, 1]. */
  readonly pixels: Float32Array
  readonly threshold: number
  /** The run's optimized measure, by name. */
  readonly measure: string
  readonly layers: readonly {
    readonly layer: number
    readonly rows: number
    readonly cols: number
    readonly neuron: BasisJacobian
    readonly learned: BasisJacobian
  }[]
}

export interface SparsityResult {
  readonly layer: number
  readonly neuron: PerInputSparsity
  readonly learned: PerInputSparsity
}

export interface ExploreResults {
  index: HeldOutIndex
  /** [inputs × height·width] bytes, 0–255. */
  pixels: Uint8Array
  jacobians: InputJacobiansResult
  sparsity: SparsityResult
}

/** A run as the explorer computes on it: the model, its bases and the held-out inputs. */
export interface PreparedRun {
  readonly params: MlpParams
  readonly sides: BasisSides
  readonly measure: Measure
  readonly threshold: number
  readonly heldX: Float32Array
  /** σ'(z) of every held-out input, per layer (the ranking's batched Jacobians). */
  readonly held: readonly LayerData[]
  readonly index: HeldOutIndex
}

const SILENT: RunSink = { progress: () => {}, metric: () => {}, artifact: () => {} }

/**
 * The run's held-out inputs exactly as the run had them (its config's data and split,
 * through the pipeline's own `runInputs`), refused when the data is not the run's any more.
 */
export async function prepareExploreRun(source: RunSource): Promise<PreparedRun> {
  await initCompute()
  const config = parseRunConfig(source.config, `run ${source.runId}'s config`)
  const data = loadRunData(config, source.baseDir)
  const { dataset } = data
  if (source.datasetSha256 && dataset.sha256 !== source.datasetSha256) {
    throw new BasiscopeError(
      'INVALID_FILE',
      `${dataset.name}: the data of run ${source.runId} changed since it ran (sha256 ${dataset.sha256.slice(0, 12)}…, the run recorded ${source.datasetSha256.slice(0, 12)}…), so its held-out inputs cannot be reproduced`,
      dataset.name,
    )
  }
  const { params } = source
  if (params.sizes[0] !== dataset.dim) {
    throw new BasiscopeError(
      'INVALID_FILE',
      `run ${source.runId}: the model reads ${params.sizes[0]} inputs but ${dataset.name} has ${dataset.dim} pixels`,
    )
  }
  const inputs = runInputs(new RunContext(config, SILENT, source.baseDir), data, params)
  const n = inputs.heldCount
  const logits = predictLogits(params, inputs.heldX, n)
  return {
    params,
    sides: changeSides(source.changes),
    measure: createMeasure(config.rotation.measure),
    threshold: config.evaluation.nearZeroThreshold,
    heldX: inputs.heldX,
    held: inputs.held,
    index: {
      sizes: [...params.sizes],
      width: dataset.width,
      height: dataset.height,
      classes: dataset.classes,
      labels: Uint8Array.from(inputs.heldY),
      predictions: argmaxRows(logits, n, dataset.classes),
      datasetIndex: Int32Array.from(data.split.test.slice(0, n)),
    },
  }
}

export function checkHeldOutInput(run: PreparedRun, input: number): void {
  const n = run.index.labels.length
  if (!Number.isInteger(input) || input < 0 || input >= n) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `input: ${input} is not a held-out input; there are ${n} (0–${n - 1})`,
      'input',
    )
  }
}

/** Pixels of some held-out inputs as bytes 0–255, [inputs × height·width]. */
export function heldOutPixels(run: PreparedRun, inputs: readonly number[]): Uint8Array {
  const dim = run.params.sizes[0]
  const out = new Uint8Array(inputs.length * dim)
  inputs.forEach((input, k) => {
    checkHeldOutInput(run, input)
    for (let p = 0; p < dim; p++) out[k * dim + p] = Math.round(run.heldX[input * dim + p] * 255)
  })
  return out
}

/** One held-out input's Jacobian at every layer, in the neuron and the learned basis. */
export function heldOutJacobians(run: PreparedRun, input: number): InputJacobiansResult {
  checkHeldOutInput(run, input)
  const dim = run.params.sizes[0]
  const x = run.heldX.slice(input * dim, (input + 1) * dim)
  const of = (j: Float32Array, rows: number, cols: number): BasisJacobian => ({
    jacobian: j,
    maxAbs: maxAbs(j),
    metrics: jacobianMetrics(j, rows, cols, run.measure, run.threshold),
  })
  return {
    input,
    logits: predictLogits(run.params, x, 1),
    pixels: x,
    threshold: run.threshold,
    measure: run.measure.spec.name,
    layers: inputJacobians(run.params, run.sides, x).map((l) => ({
      layer: l.layer,
      rows: l.rows,
      cols: l.cols,
      neuron: of(l.neuron, l.rows, l.cols),
      learned: of(l.learned, l.rows, l.cols),
    })),
  }
}

/**
 * nearZero and Hoyer sparsity of every held-out input at one hidden layer, in both bases,
 * `step` inputs at a time; `afterStep` (given the fraction done) may throw to stop the pass.
 */
export async function heldOutSparsity(
  run: PreparedRun,
  layer: number,
  step: number,
  afterStep: (fraction: number) => Promise<void>,
): Promise<SparsityResult> {
  // A layer number from a request: checked against the model here.
  const k = asLayer(layer)
  const data = atLayer(run.held, k)
  if (!data?.derivatives) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `layer: ${layer} is not a hidden layer of this model (1–${run.held.length - 1}); the logit layer's Jacobian is the same for every input`,
      'layer',
    )
  }
  const n = data.n
  const empty = (): PerInputSparsity => ({
    nearZero: new Float64Array(n),
    hoyerSparsity: new Float64Array(n),
  })
  const neuron = empty()
  const learned = empty()
  const rIn = run.sides.in[layerIn(k)] ?? null
  const rOut = run.sides.out[layerOut(k)] ?? null
  for (let start = 0; start < n; start += step) {
    const positions = Array.from({ length: Math.min(step, n - start) }, (_, i) => start + i)
    const part = subsetLayerData(data, positions)
    const into = (out: PerInputSparsity, got: PerInputSparsity) => {
      out.nearZero.set(got.nearZero, start)
      out.hoyerSparsity.set(got.hoyerSparsity, start)
    }
    into(neuron, perInputSparsity(part, null, null, run.threshold))
    into(learned, perInputSparsity(part, rIn, rOut, run.threshold))
    await afterStep((start + positions.length) / n)
  }
  return { layer, neuron, learned }
}
