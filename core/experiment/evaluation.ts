import { artifactNames } from '../api/artifacts.ts'
import type { HeldOutMetrics } from '../api/summary.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import type { Mat } from '../linalg/matrix.ts'
import { layerIn, layerOut, mapLayers } from '../model/indices.ts'
import type { BasisSides } from '../rotation/transform.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import { type AbsHistogram, DEFAULT_ABS_HISTOGRAM } from '../sparsity/metrics/abs-histogram.ts'
import type { RunContext } from './run-context.ts'

/** One layer's held-out numbers in one set of bases, with its heatmap and |J| histogram. */
export interface LayerEvaluation {
  readonly metrics: HeldOutMetrics
  readonly meanAbs: Float32Array
  readonly histogram: AbsHistogram
}

/** The held-out metrics of a layer whose Jacobian takes `rIn` and `rOut` on its two sides. */
export function heldOutMetrics(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  threshold: number,
): HeldOutMetrics {
  return summarize(layerMetrics(data, rIn, rOut, [measure], threshold), measure)
}

function summarize(m: ReturnType<typeof layerMetrics>, measure: Measure): HeldOutMetrics {
  return {
    nearZero: m.nearZero,
    hoyerSparsity: m.hoyerSparsity,
    measure: m.measures[measure.spec.name],
    fanIn: m.fanIn.mean,
  }
}

/**
 * Every layer on the held-out inputs in a set of bases ('neuron': all identity; 'learned':
 * the run's), storing each layer's mean-|J| heatmap as an artifact. The heatmap and the |J|
 * histogram ride along in the metrics' one pass over the Jacobians.
 */
export function evaluateLayers(
  run: RunContext,
  held: readonly LayerData[],
  sides: BasisSides,
  basis: 'neuron' | 'learned',
  measure: Measure,
): LayerEvaluation[] {
  const threshold = run.config.evaluation.nearZeroThreshold
  const phase = basis === 'neuron' ? 'evaluate' : 'verify'
  return mapLayers(held, (data, k) => {
    const m = layerMetrics(
      data,
      sides.in[layerIn(k)],
      sides.out[layerOut(k)],
      [measure],
      threshold,
      {
        meanAbs: true,
        histogram: DEFAULT_ABS_HISTOGRAM,
        onInputs: (done) =>
          run.report(
            phase,
            (k - 1 + done / data.n) / held.length,
            `held-out metrics in the ${basis} basis, layer ${k}: ${done} of ${data.n} inputs`,
          ),
      },
    )
    run.artifact({
      kind: 'mean-abs-jacobian',
      name: artifactNames.heatmap(k, basis),
      meta: { layer: k, basis, samples: data.n },
      shape: [data.outDim, data.inDim],
      data: m.meanAbs!,
    })
    run.check()
    return { metrics: summarize(m, measure), meanAbs: m.meanAbs!, histogram: m.histogram! }
  })
}
