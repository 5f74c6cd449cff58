/** `basiscope eval`: a model (and optionally its rotations) measured on held-out inputs, no optimization. */
import { type BackendChoice, initCompute } from '../backend/compute.ts'
import {
  gatherLabels,
  gatherRows,
  loadEmbeddedMnist,
  randomSplit,
  readSplitFile,
} from '../data/index.ts'
import type { Warn } from '../data/checks.ts'
import { BasiscopeError } from '../errors.ts'
import { requireFinite } from './finite.ts'
import { accuracy, predictLogits } from '../model/forward.ts'
import { layerData } from '../jacobian/layer-data.ts'
import type { Mat } from '../linalg/matrix.ts'
import { layerIn, layerOut, mapLayers } from '../model/indices.ts'
import { readRotationsSafetensors } from '../model/io/export.ts'
import { importModel } from '../model/io/import.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import { REPORTED_MEASURES, createMeasure } from '../sparsity/measures/index.ts'

export interface EvalReport {
  readonly backend: string
  readonly accuracy: number
  readonly samples: number
  readonly layers: {
    readonly layer: number
    readonly nearZero: number
    readonly hoyerSparsity: number
    readonly fanIn: number
    readonly measures: { readonly l1: number; readonly lp: number; readonly log: number }
  }[]
}

/**
 * `basiscope eval`: per-layer held-out metrics of given weights in given bases, on the
 * split's test inputs (all of them, in split order), and the model's test accuracy.
 */
export async function evaluateModel(options: {
  model: string
  rotations: string | null
  split: string | null
  backend?: string
  /** Hears what a data file held but eval ignores (a split file's metadata keys). */
  warn?: Warn
}): Promise<EvalReport> {
  const backend = await initCompute((options.backend ?? 'auto') as BackendChoice)
  const params = importModel(options.model)
  const ds = loadEmbeddedMnist()
  if (params.sizes[0] !== ds.dim || params.sizes[params.sizes.length - 1] !== ds.classes) {
    throw new BasiscopeError(
      'INVALID_FILE',
      `${options.model}: the model maps ${params.sizes[0]} inputs to ${params.sizes.at(-1)} outputs; MNIST needs 784 → 10`,
      options.model,
    )
  }
  const split = options.split
    ? readSplitFile(options.split, ds.n, options.warn)
    : randomSplit(ds.n, 8000, 2000, 0)
  const L = params.layers.length
  const hidden: Mat[] = options.rotations
    ? readRotationsSafetensors(options.rotations, params.sizes as number[])
    : []
  if (options.rotations && hidden.length !== L - 1) {
    throw new BasiscopeError(
      'INVALID_FILE',
      `${options.rotations}: holds ${hidden.length} rotations but the model has ${L - 1} hidden spaces (R1 … R${L - 1})`,
      options.rotations,
    )
  }
  const bases: (Mat | null)[] = [
    null,
    ...params.sizes.slice(1, L).map((_, i) => hidden[i] ?? null),
    null,
  ]
  const x = gatherRows(ds, split.test)
  const y = gatherLabels(ds, split.test)
  const n = split.test.length
  const data = layerData(params, x, n)
  const measures = Object.values(REPORTED_MEASURES).map(createMeasure)
  const logits = predictLogits(params, x, n)
  requireFinite(`the forward pass of the model ${options.model}`, logits)
  return {
    backend: backend.name,
    accuracy: accuracy(logits, y, ds.classes),
    samples: n,
    layers: mapLayers(data, (d, k) => {
      const m = layerMetrics(d, bases[layerIn(k)], bases[layerOut(k)], measures)
      const { l1, lp, log } = m.measures
      requireFinite(
        `the metrics of layer ${k}`,
        [m.nearZero, m.hoyerSparsity, m.fanIn.mean, l1, lp, log],
        (i) => ['nearZero', 'hoyerSparsity', 'fanIn', 'l1', 'lp', 'log'][i],
      )
      return {
        layer: k,
        nearZero: m.nearZero,
        hoyerSparsity: m.hoyerSparsity,
        fanIn: m.fanIn.mean,
        measures: { l1: m.measures.l1, lp: m.measures.lp, log: m.measures.log },
      }
    }),
  }
}
