import { type Measure, type MixWeights, type SquareForm, elementwiseMeasure } from './measure.ts'

/**
 * lp: Σ (J_ij² + ε²)^(p/2). With p < 1 it rewards exact zeros far more than any norm
 * does; ε smooths the cusp at 0 so gradients exist.
 */
export function lpMeasure(p: number, eps: number, mix: MixWeights = {}): Measure {
  const e2 = eps * eps
  const spec = { name: 'lp', p, eps, ...mix } as const
  // ψ(u) = (u + ε²)^(p/2), ψ'(u) = (p/2)·(u + ε²)^(p/2 − 1): finite at 0 thanks to ε.
  const square: SquareForm = {
    value: (u) => (u + e2) ** (p / 2),
    slope: (u) => (p / 2) * (u + e2) ** (p / 2 - 1),
    tensorSlope: (ops, u) => ops.mul(ops.pow(ops.add(u, e2), p / 2 - 1), p / 2),
  }
  // p·x·t^(p/2 − 1) = p·x·s(x)/t with t = x² + ε²
  const derivative = (x: number, sx: number) => (p * x * sx) / (x * x + e2)
  if (p === 0.5) {
    // The default: t^(1/4) by two square roots, several times faster than a power.
    return elementwiseMeasure(
      spec,
      {
        value: (x) => Math.sqrt(Math.sqrt(x * x + e2)),
        derivative,
        tensorValue: (ops, j) => ops.sqrt(ops.sqrt(ops.add(ops.mul(j, j), e2))),
        tensorDerivative: (ops, j, sj) =>
          ops.div(ops.mul(j, ops.mul(sj, p)), ops.add(ops.mul(j, j), e2)),
      },
      square,
    )
  }
  return elementwiseMeasure(
    spec,
    {
      value: (x) => (x * x + e2) ** (p / 2),
      derivative,
      tensorValue: (ops, j) => ops.pow(ops.add(ops.mul(j, j), e2), p / 2),
      tensorDerivative: (ops, j, sj) =>
        ops.div(ops.mul(j, ops.mul(sj, p)), ops.add(ops.mul(j, j), e2)),
    },
    square,
  )
}
