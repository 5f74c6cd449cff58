import { type Measure, elementwiseMeasure } from './measure.ts'

/** log: Σ log(1 + J_ij²/ε²), a smooth count of entries larger than about ε. */
export function logMeasure(eps: number): Measure {
  const e2 = eps * eps
  return elementwiseMeasure(
    { name: 'log', eps },
    (x) => Math.log1p((x * x) / e2),
    (x) => (2 * x) / (e2 + x * x),
  )
}
