import { optimizerDefaults } from '../../api/config/optimizer.ts'
import {
  type Mat,
  axpby,
  clone,
  frobenius,
  identity,
  matmul,
  matmulNT,
  zeros,
} from '../../linalg/matrix.ts'
import type { RotationProblem } from '../problem.ts'
import { reorthonormalize, riemannianGradient } from '../retraction.ts'
import { type ExtraRotationOptimizer, drawBatch, runLoop } from './optimizer.ts'
import { stepSize } from './step-size.ts'

export interface LandingOptions {
  /** Initial step size η of the relative-gradient term (Adam-normalised, radians scale). */
  readonly lr: number
  /** η anneals by cosine to lr·finalLrFraction over the budget (as riemannian-adam). */
  readonly finalLrFraction: number
  readonly beta1: number
  readonly beta2: number
  /**
   * Strength of the pull back to the manifold, as the product μ = η·λ (so it does not
   * change as η anneals). μ = ½ makes the normal term X ← X − ½(XXᵀ − I)X exactly one
   * Newton–Schulz step: distances to O(n) shrink quadratically.
   */
  readonly attraction: number
  /**
   * Safe region ‖XXᵀ − I‖_F ≤ epsilon: a step that would leave it has its
   * relative-gradient part halved until it stays (no objective evaluations).
   */
  readonly epsilon: number
  /** Inputs per step; null = all objective inputs. */
  readonly batchSize: number | null
}

/**
 * The landing method (Ablin & Peyré, AISTATS 2022): retraction-free optimization near
 * O(n). The iterate X is not kept exactly orthogonal; each step follows the landing field
 * Λ(X) = ψ(X)·X + λ·∇N(X), with ψ(X) = skew(∇f(X)·Xᵀ) the relative gradient (tangent
 * to the orbit of X, vanishing on critical points) and N(X) = ¼‖XXᵀ − I‖², ∇N =
 * (XXᵀ − I)·X pulling X back to O(n). The two terms are orthogonal, so Λ = 0 exactly
 * at critical points of f on O(n). Matmuls only: no solve, no expm.
 *
 * Here ψ is Adam-normalised in so(n) (like riemannian-adam: U = η·m̂/(√v̂ + δ) is skew
 * again) so η is a radians-scale step that needs no tuning to the objective's scale,
 * and λ is expressed through μ = η·λ. Step: X ← X − U·X − μ·(XXᵀ − I)·X, with U halved
 * while the step would leave the safe region ‖XXᵀ − I‖_F ≤ ε. The result is projected
 * onto O(n) by Newton–Schulz (the polar factor) at the end.
 *
 * The history's values are f at the infeasible iterates X; the gradNorm is ‖ψ(X)‖_F.
 */
export function landing(options: Partial<LandingOptions> = {}): ExtraRotationOptimizer {
  const o: LandingOptions = { ...optimizerDefaults('landing'), ...options }
  const delta = 1e-12
  return {
    name: 'landing',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      let xs: Mat[] = init.map(clone)
      const m = init.map((r) => zeros(r.rows, r.cols))
      const v = init.map((r) => zeros(r.rows, r.cols))
      const loop = await runLoop(rules, hooks, (index, progress) => {
        const samples = drawBatch(problem, o.batchSize, hooks.rng)
        const { value, grads } = problem.evaluate(xs, { grad: true, samples })
        const psi = xs.map((x, i) => riemannianGradient(x, grads![i]))
        const gradNorm = Math.sqrt(psi.reduce((acc, p) => acc + frobenius(p) ** 2, 0))
        if (gradNorm < rules.gradTol) return { value, gradNorm }
        const t = index + 1
        const lr = stepSize(o, t, progress)
        const c1 = 1 - o.beta1 ** t
        const c2 = 1 - o.beta2 ** t
        xs = xs.map((x, i) => {
          const mi = m[i].data
          const vi = v[i].data
          const u = zeros(x.rows, x.cols)
          for (let e = 0; e < mi.length; e++) {
            const g = psi[i].data[e]
            mi[e] = o.beta1 * mi[e] + (1 - o.beta1) * g
            vi[e] = o.beta2 * vi[e] + (1 - o.beta2) * g * g
            u.data[e] = (lr * (mi[e] / c1)) / (Math.sqrt(vi[e] / c2) + delta)
          }
          const n = x.rows
          const gram = axpby(1, matmulNT(x, x), -1, identity(n))
          const normal = matmul(gram, x)
          const ux = matmul(u, x)
          let next = x
          let scaleU = 1
          for (let halvings = 0; halvings < 30; halvings++) {
            next = axpby(1, axpby(1, x, -scaleU, ux), -o.attraction, normal)
            if (distance(next) <= o.epsilon) break
            scaleU /= 2
          }
          return next
        })
        return { value, gradNorm }
      })
      return { ...loop, rotations: xs.map((x) => reorthonormalize(x, 1e-13, 60)) }
    },
  }
}

/** ‖XXᵀ − I‖_F */
function distance(x: Mat): number {
  return frobenius(axpby(1, matmulNT(x, x), -1, identity(x.rows)))
}
