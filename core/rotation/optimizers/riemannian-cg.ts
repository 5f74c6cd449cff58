import { optimizerDefaults } from '../../api/config/optimizer.ts'
import { type Mat, axpby } from '../../linalg/matrix.ts'
import { type LineSearchOptions, innerAll, lineSearchOptimizer } from './line-search.ts'
import type { ExtraRotationOptimizer } from './optimizer.ts'

/** The line-search options (shared with rgd-armijo), and when to restart CG. */
export interface RcgOptions extends LineSearchOptions {
  /**
   * Restart with the gradient direction every this many steps; null = the manifold's
   * dimension Σ n_i(n_i − 1)/2.
   */
  readonly restartEvery: number | null
}

/**
 * Riemannian conjugate gradient on O(n), Polak–Ribière+:
 * P_k = Ω_k + β_k·P_{k−1}, β_k = max(0, ⟨Ω_k, Ω_k − Ω_{k−1}⟩ / ‖Ω_{k−1}‖²), and the step
 * R⁺ = cay(αP)·R by the same Armijo backtracking with doubling as rgd-armijo. Directions
 * live in the right-trivialised algebra so(n) (the tangent vector at R is P·R), so the
 * old direction is carried to the new point by right translation, an isometric vector
 * transport that costs nothing. β = 0 (a steepest-descent restart) when PR+ clips it,
 * every `restartEvery` steps, after a failed line search, and whenever P is not a
 * descent direction (⟨Ω, P⟩ ≤ 0.01·‖Ω‖·‖P‖).
 *
 * The initial α of a step is the previous accepted α (doubled if it needed no halving),
 * rescaled by ⟨Ω_{k−1}, P_{k−1}⟩/⟨Ω_k, P_k⟩ so that the predicted first-order decrease
 * matches the previous step's (Nocedal & Wright §3.5).
 */
export function riemannianCg(options: Partial<RcgOptions> = {}): ExtraRotationOptimizer {
  const o: RcgOptions = { ...optimizerDefaults('rcg'), ...options }
  return lineSearchOptimizer('rcg', o, (problem) => {
    const restartEvery = o.restartEvery ?? problem.dims.reduce((s, n) => s + (n * (n - 1)) / 2, 0)
    let prevOmega: Mat[] | null = null
    let prevDir: Mat[] | null = null
    let prevSlope = 0
    let sinceRestart = 0
    let alpha: number | null = null
    return ({ omega, g2, gradNorm, fullBatch, search }) => {
      let dir = omega
      let slope = g2
      if (prevOmega && prevDir && sinceRestart < restartEvery) {
        const beta = Math.max(0, (g2 - innerAll(omega, prevOmega)) / innerAll(prevOmega, prevOmega))
        if (beta > 0) {
          const cg = omega.map((w, i) => axpby(1, w, beta, prevDir![i]))
          const s = innerAll(omega, cg)
          if (s > 0.01 * gradNorm * Math.sqrt(innerAll(cg, cg))) {
            dir = cg
            slope = s
          }
        }
      }
      sinceRestart = dir === omega ? 1 : sinceRestart + 1
      alpha =
        alpha === null ? o.alpha0 / Math.sqrt(innerAll(dir, dir)) : (alpha * prevSlope) / slope
      const ls = search(dir, slope, alpha)
      if (ls.accepted) {
        prevOmega = omega
        prevDir = dir
        prevSlope = slope
        alpha = ls.halvings === 0 ? 2 * ls.alpha : ls.alpha
        return ls.rotations
      }
      // No resolvable decrease along −Ω on the full objective: converged to round-off.
      if (dir === omega && fullBatch) return 'stalled'
      // A CG direction (or a minibatch) failed: restart from the gradient next step.
      prevOmega = null
      prevDir = null
      alpha = null
      return 'stay'
    }
  })
}
