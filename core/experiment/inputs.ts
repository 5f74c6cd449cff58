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
  /** The objective inputs' rows, [samples × d0]. */
  readonly objectiveX: Float32Array
  readonly held: readonly LayerData[]
  readonly heldX: Float32Array
  readonly heldY: Uint8Array
  readonly heldCount: number
}

export function runInputs(run: RunContext, data: RunData, params: MlpParams): RunInputs {
  const { samples } = run.config.rotation
  const { split, dataset } = data
  if (samples > split.train.length) {
    throw new BasiscopeError(
      'INVALID_CONFIG',
      `rotation.samples: ${samples} objective inputs asked for, but the split's train list has only ${split.train.length}`,
      'rotation.samples',
    )
  }
  const heldCount = Math.min(
    run.config.evaluation.heldOutSamples ?? split.test.length,
    split.test.length,
  )
  const objectiveX = data.xTrain.subarray(0, samples * dataset.dim)
  const heldX = data.xTest.subarray(0, heldCount * dataset.dim)
  return {
    objective: layerData(params, objectiveX, samples),
    objectiveX,
    held: layerData(params, heldX, heldCount),
    heldX,
    heldY: data.yTest.subarray(0, heldCount),
    heldCount,
  }
}
