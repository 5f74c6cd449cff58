import {
  type Mat,
  axpby,
  frobenius,
  matmul,
  matmulNT,
  transpose,
  zeros,
} from '../../linalg/matrix.ts'
import { expm, expmGradient } from '../expm.ts'
import { reorthonormalize } from '../retraction.ts'
import type { RotationProblem } from '../problem.ts'
import { type RotationOptimizer, drawBatch, runLoop } from './optimizer.ts'

export interface SeedGdOptions {
  /** Step size on A; the original method used 1e-4. */
  readonly lr: number
  /** Inputs per step; null = all objective inputs (plain, full-batch gradient descent). */
  readonly batchSize: number | null
}

/**
 * The original procedure, kept as the reference baseline: R = expm(A − Aᵀ)·R_init and
 * plain gradient descent on the unconstrained A, the gradient taken through expm exactly
 * (adjoint Fréchet derivative).
 */
export function seedGd(options: SeedGdOptions): RotationOptimizer {
  return {
    name: 'seed-gd',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      const a = init.map((r) => zeros(r.rows, r.cols))
      const rotationsOf = (): Mat[] =>
        a.map((ai, i) => matmul(expm(axpby(1, ai, -1, transpose(ai))), init[i]))
      let current = rotationsOf()
      const loop = await runLoop(
        rules,
        hooks,
        () => {
          const samples = drawBatch(problem, options.batchSize, hooks.rng)
          const { value, grads } = problem.evaluate(current, { grad: true, samples })
          let norm2 = 0
          grads!.forEach((g, i) => {
            const x = axpby(1, a[i], -1, transpose(a[i]))
            // R = Q·R_init with Q = expm(X): ∂f/∂Q = G·R_initᵀ, then back through expm and X = A − Aᵀ.
            const gx = expmGradient(x, matmulNT(g, init[i]))
            const ga = axpby(1, gx, -1, transpose(gx))
            norm2 += frobenius(ga) ** 2
            a[i] = axpby(1, a[i], -options.lr, ga)
          })
          current = rotationsOf()
          return { value, gradNorm: Math.sqrt(norm2) }
        },
        () => current,
      )
      return { ...loop, rotations: current.map((r) => reorthonormalize(r)) }
    },
  }
}
