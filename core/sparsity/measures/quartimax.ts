import { type Measure, elementwiseMeasure } from './measure.ts'

/**
 * quartimax: −Σ J_ij⁴, the factor-analysis "simple structure" criterion. At fixed
 * Frobenius norm (rotations keep it) a larger fourth moment means mass in fewer entries.
 */
export function quartimaxMeasure(): Measure {
  return elementwiseMeasure(
    { name: 'quartimax' },
    {
      value: (x) => -(x * x) * (x * x),
      derivative: (x) => -4 * x * x * x,
      tensorValue: (ops, j) => {
        const q = ops.mul(j, j)
        return ops.neg(ops.mul(q, q))
      },
      tensorDerivative: (ops, j) => ops.mul(ops.mul(ops.mul(j, j), j), -4),
    },
  )
}
