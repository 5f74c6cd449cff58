import { type Measure, elementwiseMeasure } from './measure.ts'

/**
 * lp: Σ (J_ij² + ε²)^(p/2). With p < 1 it rewards exact zeros far more than any norm
 * does; ε smooths the cusp at 0 so gradients exist.
 */
export function lpMeasure(p: number, eps: number): Measure {
  const e2 = eps * eps
  const spec = { name: 'lp', p, eps } as const
  if (p === 0.5) {
    // The default: t^(1/4) by two square roots, several times faster than Math.pow.
    return elementwiseMeasure(
      spec,
      (x) => Math.sqrt(Math.sqrt(x * x + e2)),
      // p·x·t^(p/2 − 1) = p·x·s(x)/t
      (x, sx) => (0.5 * x * sx) / (x * x + e2),
    )
  }
  return elementwiseMeasure(
    spec,
    (x) => (x * x + e2) ** (p / 2),
    (x, sx) => (p * x * sx) / (x * x + e2),
  )
}
