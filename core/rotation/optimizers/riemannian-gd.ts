import { optimizerDefaults } from '../../api/config/optimizer.ts'
import { type LineSearchOptions, lineSearchOptimizer } from './line-search.ts'
import type { ExtraRotationOptimizer } from './optimizer.ts'

/** rgd-armijo's options: those of the line search it shares with rcg. */
export type RgdArmijoOptions = LineSearchOptions

/**
 * Riemannian gradient descent on O(n) with an Armijo backtracking line search and step
 * doubling, the scheme of gradient-projection rotation software (GPArotation): each step
 * takes Ω = skew(∇f·Rᵀ), tries R⁺ = cay(αΩ)·R and halves α until
 * f(R⁺) ≤ f(R) − c·α·‖Ω‖²; a step accepted at once doubles α for the next one. Per step:
 * one evaluation with gradient and one or more without. No tuning of a learning rate.
 * A full-batch line search that fails ends the run ('tolerance'; see `rulesWithStall`).
 */
export function rgdArmijo(options: Partial<RgdArmijoOptions> = {}): ExtraRotationOptimizer {
  const o: RgdArmijoOptions = { ...optimizerDefaults('rgd-armijo'), ...options }
  return lineSearchOptimizer('rgd-armijo', o, () => {
    let alpha: number | null = null
    return ({ omega, g2, gradNorm, fullBatch, search }) => {
      alpha ??= o.alpha0 / gradNorm
      const ls = search(omega, g2, alpha)
      if (ls.accepted) {
        alpha = ls.halvings === 0 ? 2 * ls.alpha : ls.alpha
        return ls.rotations
      }
      if (fullBatch) return 'stalled'
      alpha = null
      return 'stay'
    }
  })
}
