import { type Mat, frobenius, zeros } from '../../linalg/matrix.ts'
import {
  inverse,
  normalizeColumns,
  obliqueProjection,
  withinCondition,
} from '../oblique/manifold.ts'
import type { RotationProblem } from '../problem.ts'
import { type RotationOptimizer, drawBatch, runLoop } from './optimizer.ts'
import type { RiemannianAdamOptions } from './riemannian-adam.ts'
import { stepSize } from './step-size.ts'

/**
 * Default bound on κ₂(T) = κ₂(M). The Jacobians and the function check run in float32
 * (ε ≈ 6e-8) and lose about log10 κ of their digits: at 1e3 a logit of size 10 is still
 * right to ~1e-3 (measured on MNIST 784-64-32-10: max |Δ logit| 4e-3 at κ ≈ 1e4, 5e-4 at
 * κ ≈ 1e3, ≤ 1e-5 at κ < 10).
 */
export const MAX_CONDITION = 1e3

/** Halvings of a step that would break the condition bound before the run stops. */
export const MAX_HALVINGS = 10

export interface ObliqueAdamOptions extends RiemannianAdamOptions {
  /** A step that would make any κ₂(M) exceed this is refused and the run stops. */
  readonly maxCondition?: number
  /**
   * λ ≥ 0 of the log-volume barrier: the optimizer lowers log f + λ·Σ_s ρ(M_s) with
   * ρ(M) = −log|det M| / d ≥ 0 (0 iff M is orthogonal, +∞ as M turns singular) — scale free,
   * so f's units do not matter. 0 optimizes f alone (the guard is then the only defence).
   */
  readonly barrier?: number
}

/**
 * Adam on the oblique manifold (./oblique/manifold.ts) for problems whose parameters are
 * M = T⁻¹ with unit columns (createObliqueProblem): the Euclidean gradient is projected
 * onto the tangent space (each column loses its component along itself), Adam's moments
 * are kept in the ambient R^{n×n}, the step is projected again (per-coordinate scaling
 * leaves the tangent space) and retracted by normalising columns; the first moment is
 * carried to the new point by projection. The step size ramps up over `warmupSteps` and
 * anneals by cosine as in riemannian-adam, whose settings it takes.
 *
 * Guard: after every step each M must have κ₂ ≤ maxCondition (checked cheaply through
 * ‖M‖_F·‖M⁻¹‖_F, exactly by SVD only when that bound is exceeded). A step that breaks it
 * is halved until it does not; if MAX_HALVINGS do not help, the step is not taken and the
 * run ends with stopReason 'ill-conditioned' (it is then stuck at the bound).
 */
export function obliqueAdam(options: ObliqueAdamOptions): RotationOptimizer {
  const delta = 1e-12
  const maxCondition = options.maxCondition ?? MAX_CONDITION
  const barrier = options.barrier ?? 0
  return {
    name: 'oblique-adam',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      let params: Mat[] = init.map((m) => normalizeColumns(m))
      const m1 = init.map((m) => zeros(m.rows, m.cols))
      const v = init.map((m) => zeros(m.rows, m.cols))
      const loop = await runLoop(
        rules,
        hooks,
        (index, progress) => {
          const samples = drawBatch(problem, options.batchSize, hooks.rng)
          const { value, grads } = problem.evaluate(params, { grad: true, samples })
          const t = index + 1
          const lr = stepSize(options, t, progress)
          const c1 = 1 - options.beta1 ** t
          const c2 = 1 - options.beta2 ** t
          let norm2 = 0
          const tangents = params.map((p, i) => {
            // ∇(log f + λρ)·f = ∇f + λ·f·∇ρ, ∇ρ = −M⁻ᵀ/d: in f's units, as Adam sees it.
            let euclid = grads![i]
            if (barrier > 0) {
              const inv = inverse(p)
              const c = (barrier * value) / p.rows
              euclid = { ...euclid, data: euclid.data.slice() }
              for (let r = 0; r < p.rows; r++) {
                for (let col = 0; col < p.cols; col++) {
                  euclid.data[r * p.cols + col] -= c * inv.data[col * p.rows + r]
                }
              }
            }
            const g = obliqueProjection(p, euclid)
            norm2 += frobenius(g) ** 2
            const mi = m1[i].data
            const vi = v[i].data
            const step = zeros(p.rows, p.cols)
            for (let e = 0; e < mi.length; e++) {
              const ge = g.data[e]
              mi[e] = options.beta1 * mi[e] + (1 - options.beta1) * ge
              vi[e] = options.beta2 * vi[e] + (1 - options.beta2) * ge * ge
              step.data[e] = (lr * (mi[e] / c1)) / (Math.sqrt(vi[e] / c2) + delta)
            }
            return obliqueProjection(p, step)
          })
          const gradNorm = Math.sqrt(norm2)
          // Damped: a step that would break the condition bound is halved until it keeps
          // it (Adam moves every coordinate by about lr whatever the gradient, enough to
          // carry one direction across another); none within MAX_HALVINGS ends the run.
          for (let h = 0, scale = 1; h <= MAX_HALVINGS; h++, scale /= 2) {
            const next = params.map((p, i) => {
              const moved = zeros(p.rows, p.cols)
              const tg = tangents[i].data
              for (let e = 0; e < moved.data.length; e++) moved.data[e] = p.data[e] - scale * tg[e]
              return normalizeColumns(moved)
            })
            if (next.every((p) => withinCondition(p, maxCondition))) {
              next.forEach((p, i) => (m1[i] = obliqueProjection(p, m1[i])))
              params = next
              return { value, gradNorm }
            }
          }
          return { value, gradNorm, stop: 'ill-conditioned' as const }
        },
        () => params,
      )
      return { ...loop, rotations: params.map((p) => normalizeColumns(p)) }
    },
  }
}
