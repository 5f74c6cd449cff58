import { type OptimizerOptions, optimizerDefaults } from '../../api/config/optimizer.ts'
import { type Mat, clone } from '../../linalg/matrix.ts'
import type { Majorizer, RotationProblem } from '../problem.ts'
import { reorthonormalize, riemannianGradient } from '../retraction.ts'
import { armijo, innerAll, rulesWithStall } from './line-search.ts'
import { type ExtraRotationOptimizer, drawBatch, runLoop } from './optimizer.ts'

export type IrlsOptions = OptimizerOptions<'irls-lp'>

/**
 * IRLS-Lp rotation (Liu, Wallin, Chen & Moustaki 2023; GPArotation's `GPForth.lp`), for
 * measures concave in J² (lp with 0 < p ≤ 2 — the sparse range is p ≤ 1 — and log): an
 * iteratively reweighted least-squares outer loop around a gradient-projection inner loop.
 *
 * Outer (reweighting): at the anchor R⁰ each square J_ij(x)² gets the weight ψ'(J⁰_ij(x)²)
 * (edge terms: ψ'(E⁰_ij)), and the weighted sum of squares majorizes the objective — it
 * lies above it up to a constant and touches it at R⁰ with the same gradient
 * (RotationProblem.majorizer) — so lowering it lowers the objective (an MM algorithm).
 * Inner: `innerSteps` steps of Riemannian gradient descent on the smooth majorizer, each
 * with Armijo backtracking along the Cayley curve and step doubling (rgd-armijo's search);
 * then the weights are renewed at the point reached. They are renewed early when the
 * inner search fails or the majorizer's gradient vanishes.
 *
 * Stopping rules are runLoop's; each step is one inner step and reports the true objective
 * at its start point and the gradient norm there of the majorizer (the objective's own at
 * each fresh anchor). A search that fails right after reweighting on the full batch,
 * where majorizer and objective share their gradient, ends the run as converged
 * ('tolerance', as rgd-armijo's stall does). With `batchSize`, each outer iteration draws
 * one minibatch and majorizes the objective on it (the edge term stays exact).
 */
export function irlsLp(options: Partial<IrlsOptions> = {}): ExtraRotationOptimizer {
  const o: IrlsOptions = { ...optimizerDefaults('irls-lp'), ...options }
  return {
    name: 'irls-lp',
    async optimize(problem, init, rules, hooks) {
      const majorizerAt = problemMajorizer(problem)
      let rotations: Mat[] = init.map(clone)
      let majorizer: Majorizer | null = null
      let samples: number[] | undefined
      let inner = 0
      let alpha: number | null = null
      let stalled = false
      const reweight = (): void => {
        samples = drawBatch(problem, o.batchSize, hooks.rng)
        majorizer = majorizerAt(rotations)
        inner = 0
      }
      const loop = await runLoop(
        rulesWithStall(rules, () => stalled),
        hooks,
        () => {
          if (!majorizer || inner >= o.innerSteps) reweight()
          let at = gradientAt(majorizer!, rotations, samples)
          // The majorizer is minimized before the weights are: renew them and go on from there.
          if (at.gradNorm < rules.gradTol && inner > 0) {
            reweight()
            at = gradientAt(majorizer!, rotations, samples)
          }
          const report = { value: at.objective, gradNorm: at.gradNorm }
          if (at.gradNorm < rules.gradTol || at.g2 === 0) return report
          alpha ??= o.alpha0 / at.gradNorm
          const m = majorizer!
          const value = (rs: readonly Mat[]) => m.evaluate(rs, { grad: false, samples }).value
          const ls = armijo(value, rotations, at.omega, at.value, at.g2, alpha, o)
          if (ls.accepted) {
            rotations = ls.rotations
            alpha = ls.halvings === 0 ? 2 * ls.alpha : ls.alpha
            inner++
          } else if (inner === 0 && samples === undefined) {
            stalled = true
          } else {
            inner = o.innerSteps
            alpha = null
          }
          return report
        },
        () => rotations,
      )
      return { ...loop, rotations: rotations.map((r) => reorthonormalize(r)) }
    },
  }
}

function problemMajorizer(problem: RotationProblem): (anchor: readonly Mat[]) => Majorizer {
  if (!problem.majorizer) {
    throw new Error('irls-lp needs a problem with a majorizer (createProblem builds one)')
  }
  return (anchor) => problem.majorizer!(anchor)
}

/** The majorizer at `rotations` with its gradient, and Ω = skew(∇·Rᵀ) there. */
function gradientAt(m: Majorizer, rotations: readonly Mat[], samples: number[] | undefined) {
  const { value, objective, grads } = m.evaluate(rotations, { grad: true, samples })
  const omega = rotations.map((r, i) => riemannianGradient(r, grads![i]))
  const g2 = innerAll(omega, omega)
  return { value, objective, omega, g2, gradNorm: Math.sqrt(g2) }
}
