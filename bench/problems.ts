import { resolve } from 'node:path'
import {
  type Dataset,
  type Split,
  gatherLabels,
  gatherRows,
  loadEmbeddedMnist,
  randomSplit,
  readSplitFile,
} from '../core/data/index.ts'
import { defaultConfig } from '../core/api/run-config.ts'
import { type LayerData, layerData } from '../core/jacobian/layer-data.ts'
import { identity } from '../core/linalg/matrix.ts'
import { importModel } from '../core/model/io/import.ts'
import { asLayer, atLayer, layerOut } from '../core/model/indices.ts'
import type { MlpParams } from '../core/model/mlp.ts'
import { trainMlp } from '../core/model/train.ts'
import { type RotationProblem, createProblem } from '../core/rotation/problem.ts'
import { type MeasureSpec, createMeasure } from '../core/sparsity/measures/index.ts'

export interface BenchModel {
  readonly source: string
  readonly params: MlpParams
  readonly dataset: Dataset
  readonly split: Split
}

/**
 * The model the problems are set on: the default config's (trained here, seed 0, on the
 * default split), or one trained elsewhere (`--model`, with its `--split`).
 */
export async function benchModel(model?: string, splitFile?: string): Promise<BenchModel> {
  const dataset = loadEmbeddedMnist()
  const config = defaultConfig()
  const s = config.data.source === 'mnist-embedded' ? config.data.split : null
  const split = splitFile
    ? readSplitFile(resolve(splitFile), dataset.n)
    : s && s.kind === 'random'
      ? randomSplit(dataset.n, s.train, s.test, s.seed)
      : randomSplit(dataset.n, 8000, 2000, 0)
  if (model) {
    return { source: resolve(model), params: importModel(resolve(model)), dataset, split }
  }
  const m = config.model
  if (m.source !== 'train') throw new Error('the default config imports its model')
  const trained = await trainMlp(
    gatherRows(dataset, split.train),
    gatherLabels(dataset, split.train),
    {
      sizes: [dataset.dim, ...m.hidden, dataset.classes],
      activation: m.activation,
      epochs: m.epochs,
      batchSize: m.batchSize,
      learningRate: m.learningRate,
      seed: m.seed ?? config.seed,
    },
  )
  return { source: 'trained (default config, seed 0)', params: trained.params, dataset, split }
}

export interface BenchProblem {
  readonly layer: number
  readonly measure: MeasureSpec
  readonly problem: RotationProblem
  /** The layer on the objective inputs. */
  readonly objective: LayerData
  readonly heldOut: LayerData
}

/**
 * Layer k's output basis R_k against layer k alone, every other basis the identity (the
 * forward scheme's stage k), on the first `samples` training inputs; held-out data for
 * the final metrics is the split's test list.
 */
export function benchProblems(
  m: BenchModel,
  specs: readonly { layer: number; measure: MeasureSpec }[],
  samples: number,
): BenchProblem[] {
  const objective = layerData(
    m.params,
    gatherRows(m.dataset, m.split.train.slice(0, samples)),
    samples,
  )
  const held = layerData(m.params, gatherRows(m.dataset, m.split.test), m.split.test.length)
  const bases = m.params.sizes.map((d, i) =>
    i === 0 || i === m.params.sizes.length - 1 ? null : identity(d),
  )
  return specs.map(({ layer, measure }) => {
    // Each problem frees the space its layer writes, against that layer alone.
    const k = asLayer(layer)
    return {
      layer,
      measure,
      objective: atLayer(objective, k),
      heldOut: atLayer(held, k),
      problem: createProblem({
        data: objective,
        bases,
        free: [layerOut(k)],
        layers: [k],
        measure: createMeasure(measure),
      }),
    }
  })
}
