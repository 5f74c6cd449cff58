import { type Measure, type MixWeights, elementwiseMeasure } from './measure.ts'

/** l1: Σ|J_ij|. The subgradient at 0 is taken as 0. Edge form Σ√E_ij (the group lasso). */
export function l1Measure(mix: MixWeights = {}): Measure {
  return elementwiseMeasure(
    { name: 'l1', ...mix },
    {
      value: Math.abs,
      derivative: Math.sign,
      tensorValue: (ops, j) => ops.abs(j),
      tensorDerivative: (ops, j) => ops.sign(j),
    },
    // ψ(u) = √u: no finite slope at 0, so no IRLS majorizer (tensorSlope null).
    { value: Math.sqrt, slope: (u) => (u > 0 ? 0.5 / Math.sqrt(u) : 0), tensorSlope: null },
  )
}
