import { type Mat, axpby, frobenius, zeros } from '../../linalg/matrix.ts'
import { reorthonormalize } from '../retraction.ts'
import type { RotationProblem } from '../problem.ts'
import { expmRotation, gradientOnA } from './expm-parametrization.ts'
import { type RotationOptimizer, drawBatch, runLoop } from './optimizer.ts'

export interface SeedGdOptions {
  /** Step size on A; the original method used 1e-4. */
  readonly lr: number
  /** Inputs per step; null = all objective inputs (plain, full-batch gradient descent). */
  readonly batchSize: number | null
}

/**
 * The original procedure, kept as the reference baseline: R = expm(A − Aᵀ)·R_init and
 * plain gradient descent on the unconstrained A, the gradient taken through expm exactly.
 */
export function seedGd(options: SeedGdOptions): RotationOptimizer {
  return {
    name: 'seed-gd',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      const a = init.map((r) => zeros(r.rows, r.cols))
      let current: Mat[] = init.map((r, i) => expmRotation(a[i], r))
      const loop = await runLoop(
        rules,
        hooks,
        () => {
          const samples = drawBatch(problem, options.batchSize, hooks.rng)
          const { value, grads } = problem.evaluate(current, { grad: true, samples })
          let norm2 = 0
          grads!.forEach((g, i) => {
            const ga = gradientOnA(a[i], init[i], g)
            norm2 += frobenius(ga) ** 2
            a[i] = axpby(1, a[i], -options.lr, ga)
          })
          current = a.map((ai, i) => expmRotation(ai, init[i]))
          return { value, gradNorm: Math.sqrt(norm2) }
        },
        () => current,
      )
      return { ...loop, rotations: current.map((r) => reorthonormalize(r)) }
    },
  }
}
