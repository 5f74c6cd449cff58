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
 *   l1, sq [c]       ‖J(x)‖₁ and ‖J(x)‖₂² (hoyerSparsity)
 *   rowS2, rowS4     Σ_j J_ij² and Σ_j J_ij⁴ per output row, [c × d_out] (effective fan-in)
 *   m0, m1, … [c]    each measure's S(J(x))
 *   absSum           Σ_x |J(x)| [d_out·d_in] (the mean-|J| heatmap), when asked for
 *   buckets, zeros   the |J| histogram bucket of every entry and the exact-zero count
 */
export function metricsProgram(
  shape: LayerShape,
  measures: readonly Measure[],
  threshold: number,
  options: { readonly meanAbs: boolean; readonly histogram: AbsHistogramSpec | null },
): Program<LayerInput, string> {
  const { outDim, inDim } = shape
  const outputs = [
    'max',
    'near',
    'l1',
    'sq',
    'rowS2',
    'rowS4',
    ...measures.map((_, i) => `m${i}`),
    ...(options.meanAbs ? ['absSum'] : []),
    ...(options.histogram ? ['buckets', 'zeros'] : []),
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
    build(ops, s) {
      const { j } = buildJacobians(ops, s, shape)
      const abs = ops.abs(j)
      const max = ops.reduceMax(abs, [1], true)
      const q = ops.mul(j, j)
      const q3 = ops.reshape(q, [-1, outDim, inDim])
      const out: Record<string, typeof j> = {
        max: ops.reshape(max, [-1]),
        near: ops.reduceSum(ops.less(abs, ops.mul(max, threshold)), [1]),
        l1: ops.reduceSum(abs, [1]),
        sq: ops.reduceSum(q, [1]),
        rowS2: ops.reduceSum(q3, [2]),
        rowS4: ops.reduceSum(ops.mul(q3, q3), [2]),
      }
      measures.forEach((m, i) => (out[`m${i}`] = m.tensor(ops, j, false).perSample))
      if (options.meanAbs) out.absSum = ops.reduceSum(abs, [0])
      if (hist) {
        out.buckets = absHistogramBuckets(ops, abs, hist)
        out.zeros = ops.reduceSum(ops.equal(abs, 0), [0, 1], true)
      }
      return out
    },
  }
}
