import { rankByGain } from '../analysis/input-ranking.ts'
import type { HeldOutInputs, InputJacobians, MostChanged } from '../api/commands/inputs.ts'
import type { CommandParams } from '../api/contract.ts'
import type { RunRecord } from '../api/records.ts'
import { BasiscopeError } from '../errors.ts'
import type {
  BasisJacobian,
  HeldOutIndex,
  InputJacobiansResult,
  SparsityResult,
} from '../experiment/explore.ts'
import type { EventHub } from './events.ts'
import { ExploreClient, type RunningTask } from './jobs/explore-client.ts'
import type { WorkerFactory } from './jobs/runner.ts'
import type { OpenProject } from './project-registry.ts'
import { type RunSourceRef, runSourceRef } from './run-source.ts'

/** Results kept in memory (never persisted: recomputed in tens of ms, or seconds for a ranking). */
const INDEXES_KEPT = 8
const JACOBIANS_KEPT = 24
const RANKINGS_KEPT = 8

/** A small map that forgets its least recently used entry beyond `max`. */
class Lru<V> {
  private readonly map = new Map<string, V>()
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key)
    if (v !== undefined) {
      this.map.delete(key)
      this.map.set(key, v)
    }
    return v
  }

  set(key: string, v: V): void {
    this.map.delete(key)
    this.map.set(key, v)
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!)
  }

  delete(key: string, v: V): void {
    if (this.map.get(key) === v) this.map.delete(key)
  }
}

/** The cached promise under `key`, or a fresh one from `make`; a failure is not kept. */
function cached<T>(cache: Lru<Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const found = cache.get(key)
  if (found) return found
  const p = make()
  cache.set(key, p)
  p.catch(() => cache.delete(key, p))
  return p
}

interface Ranking extends RunningTask<SparsityResult> {
  settled: boolean
}

const tensorOf = (shape: number[], data: ArrayLike<number>, dtype = 'float32') => ({
  dtype,
  shape,
  data: Array.from(data),
})

/** Float32 values as the contract packs them: base64 of their little-endian bytes. */
function packed(shape: number[], data: Float32Array) {
  const bytes = Buffer.alloc(data.length * 4)
  for (let i = 0; i < data.length; i++) bytes.writeFloatLE(data[i], i * 4)
  return { dtype: 'float32' as const, shape, base64: bytes.toString('base64') }
}

function fieldError(field: string, message: string): BasiscopeError {
  return new BasiscopeError('INVALID_ARGUMENT', `${field}: ${message}`, field, [
    { path: field, message },
  ])
}

/**
 * The input explorer (DESIGN.md §4): one held-out input's Jacobians in both bases, pages of
 * held-out inputs for the digit grid, and the inputs a learned basis changes most. Every
 * computation runs in the explore worker; results are kept in memory per run (keyed by the
 * artifacts they come from) and per input or layer, and are not written to the project.
 */
export class InputExplorer {
  private readonly client: ExploreClient
  private readonly indexes = new Lru<Promise<HeldOutIndex>>(INDEXES_KEPT)
  private readonly jacobians = new Lru<Promise<InputJacobiansResult>>(JACOBIANS_KEPT)
  private readonly rankings = new Lru<Ranking>(RANKINGS_KEPT)

  constructor(
    factory: WorkerFactory,
    private readonly events: EventHub,
    /** Relative data files in run configs are found from here (as when the run ran). */
    private readonly baseDir: string,
  ) {
    this.client = new ExploreClient(factory)
  }

  close(): void {
    this.client.close()
  }

  private source(project: OpenProject, run: RunRecord): RunSourceRef {
    return runSourceRef(project.store, project.id, run, this.baseDir)
  }

  private index(ref: RunSourceRef): Promise<HeldOutIndex> {
    return cached(
      this.indexes,
      ref.key,
      () => this.client.run({ kind: 'index', source: ref.read() }).result,
    )
  }

  private async pixels(ref: RunSourceRef, index: HeldOutIndex, inputs: readonly number[]) {
    const { width, height } = index
    const bytes = inputs.length
      ? await this.client.run({ kind: 'pixels', source: ref.read(), inputs }).result
      : new Uint8Array(0)
    return tensorOf([inputs.length, width * height], bytes, 'uint8')
  }

  async heldOutInputs(
    project: OpenProject,
    run: RunRecord,
    page: Pick<CommandParams<'inputs.list'>, 'offset' | 'limit' | 'label'>,
  ): Promise<HeldOutInputs> {
    const ref = this.source(project, run)
    const index = await this.index(ref)
    const { labels, predictions, classes } = index
    const { offset = 0, limit = 100, label } = page
    if (label !== undefined && label >= classes) {
      throw fieldError('label', `${label} is not a class of this dataset (0–${classes - 1})`)
    }
    const all = Array.from(labels.keys())
    const matching = label === undefined ? all : all.filter((i) => labels[i] === label)
    const inputs = matching.slice(offset, offset + limit)
    const classCounts = new Array<number>(classes).fill(0)
    for (const l of labels) classCounts[l]++
    return {
      total: labels.length,
      matching: matching.length,
      width: index.width,
      height: index.height,
      classes,
      classCounts,
      inputs: inputs.map((i) => ({ input: i, label: labels[i], prediction: predictions[i] })),
      pixels: await this.pixels(ref, index, inputs),
    }
  }

  async inputJacobians(
    project: OpenProject,
    run: RunRecord,
    input: number,
  ): Promise<InputJacobians> {
    const ref = this.source(project, run)
    const index = await this.index(ref)
    const n = index.labels.length
    if (input >= n) {
      throw fieldError(
        'input',
        `${input} is not a held-out input of run ${run.id}; it has ${n} (0–${n - 1})`,
      )
    }
    const r = await cached(
      this.jacobians,
      `${ref.key}#${input}`,
      () => this.client.run({ kind: 'jacobians', source: ref.read(), input }).result,
    )
    const basis = (b: BasisJacobian, rows: number, cols: number) => ({
      jacobian: packed([rows, cols], b.jacobian),
      maxAbs: b.maxAbs,
      metrics: { ...b.metrics },
    })
    return {
      runId: run.id,
      input,
      datasetIndex: index.datasetIndex[input],
      label: index.labels[input],
      prediction: index.predictions[input],
      logits: Array.from(r.logits),
      image: tensorOf([index.height, index.width], r.pixels),
      transform: ref.transform,
      nearZeroThreshold: r.threshold,
      measure: r.measure,
      layers: r.layers.map((l) => ({
        layer: l.layer,
        shape: [l.rows, l.cols] as [number, number],
        neuron: basis(l.neuron, l.rows, l.cols),
        learned: basis(l.learned, l.rows, l.cols),
      })),
    }
  }

  async mostChanged(
    project: OpenProject,
    run: RunRecord,
    ask: Pick<CommandParams<'inputs.mostChanged'>, 'layer' | 'metric' | 'order' | 'limit'>,
  ): Promise<MostChanged> {
    const { layer, metric = 'nearZero', order = 'gained', limit = 24 } = ask
    const ref = this.source(project, run)
    const index = await this.index(ref)
    checkHiddenLayer(layer, index.sizes.length - 1)
    const sparsity = await this.ranking(project, run, ref, layer).result
    const before = sparsity.neuron[metric]
    const after = sparsity.learned[metric]
    const top = Array.from(rankByGain(before, after, order === 'gained' ? 'desc' : 'asc')).slice(
      0,
      limit,
    )
    return {
      layer,
      metric,
      order,
      ...gainSummary(before, after),
      inputs: top.map((i) => ({
        input: i,
        label: index.labels[i],
        prediction: index.predictions[i],
        neuron: before[i],
        learned: after[i],
        gain: after[i] - before[i],
      })),
      pixels: await this.pixels(ref, index, top),
      width: index.width,
      height: index.height,
    }
  }

  /** The ranking pass of a run's layer, started (with progress events) or joined. */
  private ranking(project: OpenProject, run: RunRecord, ref: RunSourceRef, layer: number) {
    const key = `${ref.key}@${layer}`
    const found = this.rankings.get(key)
    if (found) return found
    const started = Date.now()
    const task = this.client.run({ kind: 'sparsity', source: ref.read(), layer }, (fraction) => {
      const elapsed = (Date.now() - started) / 1000
      this.events.emit('inputs.progress', {
        project: project.path,
        projectId: project.id,
        runId: run.id,
        layer,
        fraction,
        etaSeconds: fraction > 0 && fraction < 1 ? (elapsed / fraction) * (1 - fraction) : null,
      })
    })
    const ranking: Ranking = { ...task, settled: false }
    this.rankings.set(key, ranking)
    task.result.then(
      () => (ranking.settled = true),
      () => this.rankings.delete(key, ranking),
    )
    return ranking
  }

  /** Cancels the run's ranking pass at `layer` if one is running. */
  cancelRanking(project: OpenProject, run: RunRecord, layer: number): boolean {
    const ranking = this.rankings.get(`${this.source(project, run).key}@${layer}`)
    if (!ranking || ranking.settled) return false
    this.client.cancel(ranking.taskId)
    return true
  }
}

function checkHiddenLayer(layer: number, layers: number): void {
  if (layer === layers) {
    throw fieldError(
      'layer',
      `${layer} is the logit layer: its Jacobian is the same for every input, so no input changes more than another; pick 1–${layers - 1}`,
    )
  }
  if (layer > layers) {
    throw fieldError('layer', `${layer} is not a layer of this model; it has layers 1–${layers}`)
  }
}

function gainSummary(before: Float64Array, after: Float64Array) {
  let sum = 0
  let gained = 0
  let lost = 0
  for (let i = 0; i < before.length; i++) {
    const g = after[i] - before[i]
    sum += g
    if (g > 0) gained++
    else if (g < 0) lost++
  }
  return { total: before.length, meanGain: before.length ? sum / before.length : 0, gained, lost }
}
