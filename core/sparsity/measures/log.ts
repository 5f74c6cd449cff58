import { type Measure, type MixWeights, elementwiseMeasure } from './measure.ts'

/** log: Σ log(1 + J_ij²/ε²), a smooth count of entries larger than about ε. */
export function logMeasure(eps: number, mix: MixWeights = {}): Measure {
  const e2 = eps * eps
  return elementwiseMeasure(
    { name: 'log', eps, ...mix },
    {
      value: (x) => Math.log1p((x * x) / e2),
      derivative: (x) => (2 * x) / (e2 + x * x),
      // log(1 + u), u = x²/ε² ≥ 0: float32 rounding of 1 + u costs ≤ 6e-8 per entry (no log1p op).
      tensorValue: (ops, j) => ops.log(ops.add(ops.mul(ops.mul(j, j), 1 / e2), 1)),
      tensorDerivative: (ops, j) => ops.div(ops.mul(j, 2), ops.add(ops.mul(j, j), e2)),
    },
    // ψ(u) = log(1 + u/ε²), ψ'(u) = 1/(ε² + u).
    {
      value: (u) => Math.log1p(u / e2),
      slope: (u) => 1 / (e2 + u),
      tensorSlope: (ops, u) => ops.div(1, ops.add(u, e2)),
    },
  )
}
