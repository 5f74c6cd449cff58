import { type Measure, elementwiseMeasure } from './measure.ts'

/** l1: Σ|J_ij|. The subgradient at 0 is taken as 0. */
export function l1Measure(): Measure {
  return elementwiseMeasure(
    { name: 'l1' },
    {
      value: Math.abs,
      derivative: Math.sign,
      tensorValue: (ops, j) => ops.abs(j),
      tensorDerivative: (ops, j) => ops.sign(j),
    },
  )
}
