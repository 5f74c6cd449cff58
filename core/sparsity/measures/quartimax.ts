import { type Measure, elementwiseMeasure } from './measure.ts'

/**
 * quartimax: −Σ J_ij⁴, the factor-analysis "simple structure" criterion. At fixed
 * Frobenius norm (rotations keep it) a larger fourth moment means mass in fewer entries.
 */
export function quartimaxMeasure(): Measure {
  return elementwiseMeasure(
    { name: 'quartimax' },
    (x) => -(x * x) * (x * x),
    (x) => -4 * x * x * x,
  )
}
