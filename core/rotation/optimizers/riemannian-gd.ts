import type { Mat } from '../../linalg/matrix.ts'
import { clone } from '../../linalg/matrix.ts'
import type { RotationProblem } from '../problem.ts'
import { reorthonormalize, riemannianGradient } from '../retraction.ts'
import { armijo, innerAll, rulesWithStall } from './line-search.ts'
import { type ExtraRotationOptimizer, drawBatch, runLoop } from './optimizer.ts'

export interface RgdArmijoOptions {
  /**
   * Length of the first trial step in so(n) (Frobenius norm of α·Ω): the first α is
   * alpha0/‖Ω‖. Later steps start from the previous step's α (doubled after a step
   * accepted without halving).
   */
  readonly alpha0: number
  /** Armijo sufficient-decrease constant. */
  readonly c: number
  /**
   * Halvings per step before giving up. The step is then not taken; on the full batch the
   * run ends as converged (stopReason 'tolerance': no decrease the objective's round-off
   * can resolve), on a minibatch α restarts from alpha0/‖Ω‖.
   */
  readonly maxHalvings: number
  /**
   * Inputs per step; null = all objective inputs (the default, and what a line search
   * wants: a deterministic objective). With a minibatch, one batch serves the gradient
   * and all trials of a step.
   */
  readonly batchSize: number | null
}

export const RGD_ARMIJO_DEFAULTS: RgdArmijoOptions = {
  alpha0: 1,
  c: 1e-4,
  maxHalvings: 30,
  batchSize: null,
}

/**
 * Riemannian gradient descent on O(n) with an Armijo backtracking line search and step
 * doubling, the scheme of gradient-projection rotation software (GPArotation): each step
 * takes Ω = skew(∇f·Rᵀ), tries R⁺ = cay(αΩ)·R and halves α until
 * f(R⁺) ≤ f(R) − c·α·‖Ω‖²; a step accepted at once doubles α for the next one. Per step:
 * one evaluation with gradient and one or more without. No tuning of a learning rate.
 * A full-batch line search that fails ends the run ('tolerance'; see `rulesWithStall`).
 */
export function rgdArmijo(options: Partial<RgdArmijoOptions> = {}): ExtraRotationOptimizer {
  const o = { ...RGD_ARMIJO_DEFAULTS, ...options }
  return {
    name: 'rgd-armijo',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      let rotations: Mat[] = init.map(clone)
      let alpha: number | null = null
      let stalled = false
      const loop = await runLoop(
        rulesWithStall(rules, () => stalled),
        hooks,
        () => {
          const samples = drawBatch(problem, o.batchSize, hooks.rng)
          const { value, grads } = problem.evaluate(rotations, { grad: true, samples })
          const omega = rotations.map((r, i) => riemannianGradient(r, grads![i]))
          const g2 = innerAll(omega, omega)
          const gradNorm = Math.sqrt(g2)
          // runLoop stops on this step's gradNorm: do not move off the point it judged.
          if (gradNorm < rules.gradTol || g2 === 0) return { value, gradNorm }
          alpha ??= o.alpha0 / gradNorm
          const f = (rs: readonly Mat[]): number =>
            problem.evaluate(rs, { grad: false, samples }).value
          const ls = armijo(f, rotations, omega, value, g2, alpha, o)
          if (ls.accepted) {
            rotations = ls.rotations
            alpha = ls.halvings === 0 ? 2 * ls.alpha : ls.alpha
          } else if (samples === undefined) {
            stalled = true
          } else {
            alpha = null
          }
          return { value, gradNorm }
        },
      )
      return { ...loop, rotations: rotations.map((r) => reorthonormalize(r)) }
    },
  }
}
