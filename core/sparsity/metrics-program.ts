import type { Program } from '../backend/program.ts'
import {
  type LayerInput,
  type LayerShape,
  buildJacobians,
  layerInputs,
  shapeKey,
} from '../jacobian/layer-program.ts'
import { type Measure, measureKey } from './measures/measure.ts'
import { type AbsHistogramSpec, absHistogramBuckets } from './metrics/abs-histogram.ts'

/**
 * Per chunk of inputs, the statistics every held-out metric is made of, reduced inside
 * the native graph so the Jacobians never leave it:
 *   max, near [c]    max|J(x)| and the count of entries under threshold·max (nearZero)
 *   l1 [c]           ‖J(x)‖₁ (hoyerSparsity, with ‖J(x)‖₂² = Σ rowS2)
 *   rowS2, rowS4     Σ_j J_ij² and Σ_j J_ij⁴ per output row, [c × d_out] (effective fan-in)
 *   m0, m1, … [c]    each measure's S(J(x))
 *   absSum           Σ_x |J(x)| [d_out·d_in] (the mean-|J| heatmap), when asked for
 *   buckets, nonzero the |J| histogram bucket of every entry (bytes) and how many are not 0
 * The runtime fuses none of the elementwise ops, so every op is a pass over the chunk:
 * the statistics are chosen to need few (rowS2 gives ‖J‖₂² too; no op forms a square sum).
 */
export type MetricsOutput =
  'max' | 'near' | 'l1' | 'rowS2' | 'rowS4' | `m${number}` | 'absSum' | 'buckets' | 'nonzero'

export function metricsProgram(
  shape: LayerShape,
  measures: readonly Measure[],
  threshold: number,
  options: { readonly meanAbs: boolean; readonly histogram: AbsHistogramSpec | null },
): Program<LayerInput, MetricsOutput, 'float32', 'buckets'> {
  const { outDim, inDim } = shape
  const outputs: MetricsOutput[] = [
    'max',
    'near',
    'l1',
    'rowS2',
    'rowS4',
    ...measures.map((_, i) => `m${i}` as const),
    ...(options.meanAbs ? (['absSum'] as const) : []),
    ...(options.histogram ? (['buckets', 'nonzero'] as const) : []),
  ]
  const hist = options.histogram
  return {
    key: [
      'metrics',
      shapeKey(shape),
      threshold,
      measures.map((m) => measureKey(m.spec)).join('+'),
      options.meanAbs,
      hist ? `${hist.log10Min}:${hist.log10Max}:${hist.bins}` : '-',
    ].join(':'),
    inputs: layerInputs(shape) as Record<LayerInput, never>,
    outputs,
    bytes: options.histogram ? ['buckets'] : [],
    build(ops, s) {
      const { j } = buildJacobians(ops, s, shape)
      const abs = ops.abs(j)
      const max = ops.reduceMax(abs, [1], true)
      const rows = (t: typeof j) => ops.reshape(t, [-1, outDim, inDim])
      // J⊙J as the measures write it (mul(j, j)): the runtime's common-subexpression pass
      // then computes it once for rowS4 and, e.g., lp.
      const q = ops.mul(j, j)
      const out: Partial<Record<MetricsOutput, typeof j>> = {
        max: ops.reshape(max, [-1]),
        near: ops.reduceSum(ops.less(abs, ops.mul(max, threshold)), [1]),
        l1: ops.reduceSum(abs, [1]),
        rowS2: ops.reduceSumSquare(rows(j), [2]),
        rowS4: ops.reduceSumSquare(rows(q), [2]),
      }
      measures.forEach((m, i) => (out[`m${i}`] = m.tensor(ops, j, false).perSample))
      if (options.meanAbs) out.absSum = ops.reduceSum(abs, [0])
      if (hist) {
        out.buckets = absHistogramBuckets(ops, abs, hist)
        out.nonzero = ops.reduceSum(ops.sign(abs), [0, 1], true)
      }
      return out as Record<MetricsOutput, typeof j>
    },
  }
}
