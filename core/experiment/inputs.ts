import { resolve } from 'node:path'
import { type ListCount, inputCountsOf } from '../api/config/cross-checks.ts'
import { BasiscopeError } from '../errors.ts'
import { type LayerData, layerData } from '../jacobian/layer-data.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { RunContext } from './run-context.ts'
import type { RunData } from './run-data.ts'

/**
 * The inputs the method works on: objective inputs (the first `rotation.samples` of the
 * train list, what the optimizer sees) and held-out inputs (the test list or its first
 * `evaluation.heldOutSamples`, what every metric is measured on), each as per-layer data.
 */
export interface RunInputs {
  readonly objective: readonly LayerData[]
  /** The objective inputs' rows, [objectiveCount × d0]. */
  readonly objectiveX: Float32Array
  /** How many objective inputs: rotation.samples, or the train list when that is shorter. */
  readonly objectiveCount: number
  readonly held: readonly LayerData[]
  readonly heldX: Float32Array
  readonly heldY: Uint8Array
  readonly heldCount: number
}

/** How many objective and held-out inputs the run takes from its split's lists. */
export interface InputCounts {
  readonly objective: number
  readonly held: number
}

/**
 * The counts by listCount's one rule (core/api/config/cross-checks.ts): a count set larger
 * than its list is INVALID_CONFIG naming the field, the default is capped with a warning.
 * Known once the split is read, so the pipeline asks before it trains anything.
 */
export function inputCounts(run: RunContext, split: RunData['split']): InputCounts {
  const { data } = run.config
  const file = data.split.kind === 'file' ? resolve(run.baseDir, data.split.file) : undefined
  const counts = inputCountsOf(run.config, split.train.length, split.test.length, file)
  const take = (field: string, c: ListCount): number => {
    if (!c.ok) throw new BasiscopeError('INVALID_CONFIG', `${field}: ${c.error}`, field)
    if (c.warning) run.warn('data', c.warning)
    return c.take
  }
  return {
    objective: take('rotation.samples', counts.samples),
    held: take('evaluation.heldOutSamples', counts.heldOutSamples),
  }
}

export function runInputs(
  run: RunContext,
  data: RunData,
  params: MlpParams,
  counts: InputCounts = inputCounts(run, data.split),
): RunInputs {
  const { dataset } = data
  const samples = counts.objective
  const heldCount = counts.held
  const objectiveX = data.xTrain.subarray(0, samples * dataset.dim)
  const heldX = data.xTest.subarray(0, heldCount * dataset.dim)
  return {
    objective: layerData(params, objectiveX, samples),
    objectiveX,
    objectiveCount: samples,
    held: layerData(params, heldX, heldCount),
    heldX,
    heldY: data.yTest.subarray(0, heldCount),
    heldCount,
  }
}
