import { inputJacobians, jacobianMetrics, maxAbs } from '../../analysis/input-jacobians.ts'
import { type PerInputSparsity, perInputSparsity } from '../../analysis/input-ranking.ts'
import { initCompute } from '../../backend/compute.ts'
import { BasiscopeError, CancelledError } from '../../errors.ts'
import { parseRunConfig } from '../../experiment/config.ts'
import { runInputs } from '../../experiment/inputs.ts'
import { RunContext, type RunSink } from '../../experiment/run-context.ts'
import { loadRunData } from '../../experiment/run-data.ts'
import { type LayerData, subsetLayerData } from '../../jacobian/layer-data.ts'
import { argmaxRows, predictLogits } from '../../model/forward.ts'
import type { MlpParams } from '../../model/mlp.ts'
import { type BasisSides, changeSides } from '../../rotation/transform.ts'
import { type Measure, createMeasure } from '../../sparsity/measures/index.ts'
import type {
  BasisJacobian,
  ExploreResults,
  ExploreTask,
  HeldOutIndex,
  RunSource,
} from './explore-protocol.ts'
import type { FromWorker } from './protocol.ts'

/** Runs whose held-out inputs a worker keeps ready (each: its inputs and their σ'(z)). */
const PREPARED_KEPT = 2
/** Inputs per step of a ranking pass: progress and cancel are seen between steps. */
const RANKING_STEP = 128

/** A run as the explorer computes on it: the model, its bases and the held-out inputs. */
interface PreparedRun {
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
function prepare(source: RunSource): PreparedRun {
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

function checkInput(run: PreparedRun, input: number): void {
  const n = run.index.labels.length
  if (!Number.isInteger(input) || input < 0 || input >= n) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `input: ${input} is not a held-out input; there are ${n} (0–${n - 1})`,
      'input',
    )
  }
}

/**
 * The explore worker's side of the input explorer: tasks in, results out, each run's
 * held-out inputs prepared once and kept for the next task. A ranking pass yields between
 * steps, so a single input asked for meanwhile is answered at once and a cancel is seen.
 */
export class ExploreTasks {
  private readonly prepared = new Map<string, PreparedRun>()
  private readonly cancelled = new Set<number>()

  constructor(private readonly send: (m: FromWorker) => void) {}

  cancel(taskId: number): void {
    this.cancelled.add(taskId)
  }

  async run(taskId: number, task: ExploreTask): Promise<void> {
    try {
      await initCompute()
      const value = await this.execute(taskId, task)
      this.send({ type: 'task-done', taskId, value })
    } catch (e) {
      const err = e as Error
      const known = err instanceof BasiscopeError
      this.send({
        type: 'task-failed',
        taskId,
        error: {
          code: known ? err.code : 'INTERNAL',
          message: known ? err.message : (err.stack ?? err.message),
        },
      })
    } finally {
      this.cancelled.delete(taskId)
    }
  }

  private runOf(source: RunSource): PreparedRun {
    let run = this.prepared.get(source.key)
    if (run) {
      this.prepared.delete(source.key)
    } else {
      run = prepare(source)
      while (this.prepared.size >= PREPARED_KEPT) {
        this.prepared.delete(this.prepared.keys().next().value!)
      }
    }
    this.prepared.set(source.key, run)
    return run
  }

  private async execute(
    taskId: number,
    task: ExploreTask,
  ): Promise<ExploreResults[ExploreTask['kind']]> {
    const run = this.runOf(task.source)
    switch (task.kind) {
      case 'index':
        return run.index
      case 'pixels':
        return this.pixels(run, task.inputs)
      case 'jacobians':
        return this.jacobians(run, task.input)
      case 'sparsity':
        return this.sparsity(taskId, run, task.layer)
    }
  }

  private pixels(run: PreparedRun, inputs: readonly number[]): Uint8Array {
    const dim = run.params.sizes[0]
    const out = new Uint8Array(inputs.length * dim)
    inputs.forEach((input, k) => {
      checkInput(run, input)
      for (let p = 0; p < dim; p++) out[k * dim + p] = Math.round(run.heldX[input * dim + p] * 255)
    })
    return out
  }

  private jacobians(run: PreparedRun, input: number): ExploreResults['jacobians'] {
    checkInput(run, input)
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

  private async sparsity(
    taskId: number,
    run: PreparedRun,
    layer: number,
  ): Promise<ExploreResults['sparsity']> {
    const data = run.held[layer - 1]
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
    const rIn = run.sides.in[layer - 1] ?? null
    const rOut = run.sides.out[layer] ?? null
    for (let start = 0; start < n; start += RANKING_STEP) {
      if (this.cancelled.has(taskId)) throw new CancelledError('ranking cancelled')
      const positions = Array.from(
        { length: Math.min(RANKING_STEP, n - start) },
        (_, i) => start + i,
      )
      const step = subsetLayerData(data, positions)
      const into = (out: PerInputSparsity, got: PerInputSparsity) => {
        out.nearZero.set(got.nearZero, start)
        out.hoyerSparsity.set(got.hoyerSparsity, start)
      }
      into(neuron, perInputSparsity(step, null, null, run.threshold))
      into(learned, perInputSparsity(step, rIn, rOut, run.threshold))
      this.send({ type: 'task-progress', taskId, fraction: (start + positions.length) / n })
      // Lets the next message in: another task, or this one's cancel.
      await new Promise((resolve) => setImmediate(resolve))
    }
    return { layer, neuron, learned }
  }
}
