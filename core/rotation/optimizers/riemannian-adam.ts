import { type Mat, frobenius, zeros } from '../../linalg/matrix.ts'
import { cayleyStep, reorthonormalize, riemannianGradient } from '../retraction.ts'
import type { RotationProblem } from '../problem.ts'
import { type RotationOptimizer, drawBatch, runLoop } from './optimizer.ts'
import { stepSize } from './step-size.ts'

export interface RiemannianAdamOptions {
  /** Initial step size (radians-scale: Adam normalises the gradient per coordinate). */
  readonly lr: number
  /** The step size anneals by cosine to lr·finalLrFraction over the budget. */
  readonly finalLrFraction: number
  readonly beta1: number
  readonly beta2: number
  /** Inputs per step; null = all objective inputs. */
  readonly batchSize: number | null
  /**
   * Steps over which the step size ramps up linearly. Adam's first steps move every
   * coordinate by about lr whatever the gradient, which for a 128×128 rotation is a
   * large turn; a short ramp keeps the objective from jumping up first.
   */
  readonly warmupSteps?: number
}

/**
 * Adam on O(n) in the right-trivialised Lie algebra: the Riemannian gradient
 * Ω = skew(∇f·Rᵀ) lives in the fixed vector space so(n), so Adam's moments need no
 * parallel transport there; the step U = lr·m̂/(√v̂+δ) stays skew, and the Cayley
 * retraction R ← cay(−U)·R keeps R exactly orthogonal. Minibatches make each step cheap
 * on layers with large Jacobians; Adam's averaging absorbs their noise.
 */
export function riemannianAdam(options: RiemannianAdamOptions): RotationOptimizer {
  const delta = 1e-12
  return {
    name: 'riemannian-adam',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      let rotations: Mat[] = init.map((r) => ({ ...r, data: new Float64Array(r.data) }))
      const m = init.map((r) => zeros(r.rows, r.cols))
      const v = init.map((r) => zeros(r.rows, r.cols))
      const loop = await runLoop(
        rules,
        hooks,
        (index, progress) => {
          const samples = drawBatch(problem, options.batchSize, hooks.rng)
          const { value, grads } = problem.evaluate(rotations, { grad: true, samples })
          const t = index + 1
          const lr = stepSize(options, t, progress)
          let norm2 = 0
          rotations = rotations.map((r, i) => {
            const omega = riemannianGradient(r, grads![i])
            norm2 += frobenius(omega) ** 2
            const mi = m[i].data
            const vi = v[i].data
            const step = zeros(r.rows, r.cols)
            const c1 = 1 - options.beta1 ** t
            const c2 = 1 - options.beta2 ** t
            for (let e = 0; e < mi.length; e++) {
              const g = omega.data[e]
              mi[e] = options.beta1 * mi[e] + (1 - options.beta1) * g
              vi[e] = options.beta2 * vi[e] + (1 - options.beta2) * g * g
              step.data[e] = (lr * (mi[e] / c1)) / (Math.sqrt(vi[e] / c2) + delta)
            }
            return cayleyStep(r, step)
          })
          return { value, gradNorm: Math.sqrt(norm2) }
        },
        () => rotations,
      )
      return { ...loop, rotations: rotations.map((r) => reorthonormalize(r)) }
    },
  }
}
