import { optimizerDefaults } from '../../api/config/optimizer.ts'
import {
  type Mat,
  axpby,
  clone,
  frobenius,
  matmul,
  matmulNT,
  transpose,
  zeros,
} from '../../linalg/matrix.ts'
import { expm, expmGradient } from '../expm.ts'
import type { RotationProblem } from '../problem.ts'
import { reorthonormalize, riemannianGradient } from '../retraction.ts'
import { type ExtraRotationOptimizer, drawBatch, runLoop } from './optimizer.ts'
import { stepSize } from './step-size.ts'

export interface DynTrivOptions {
  /**
   * Adam step size on A. A stays skew, so X = A − Aᵀ = 2A and a step of lr on A rotates
   * by about 2·lr: lr = 0.005 here compares with riemannian-adam's lr = 0.01.
   */
  readonly lr: number
  /** lr anneals by cosine to lr·finalLrFraction over the budget. */
  readonly finalLrFraction: number
  readonly beta1: number
  readonly beta2: number
  /** Fold (R_base ← R, A ← 0, Adam moments reset) every this many steps. */
  readonly foldEvery: number
  /** …or as soon as ‖A − Aᵀ‖_F exceeds this (expm is a local diffeomorphism for ‖X‖₂ < π). */
  readonly foldNorm: number
  /**
   * Reset Adam's moments (and bias correction) at each fold. Off by default: the moments
   * live in the same right-trivialised coordinates before and after a fold (at A = 0,
   * ∂f/∂A = 2·skew(∇f·Rᵀ) whichever base R was folded into), and restarting Adam each
   * time re-takes its large first steps (lr·sign(g) on every coordinate).
   */
  readonly resetMoments: boolean
  /** Inputs per step; null = all objective inputs. */
  readonly batchSize: number | null
}

/**
 * Dynamic trivialization (Lezcano-Casado, NeurIPS 2019): R = expm(A − Aᵀ)·R_base with
 * Adam on the unconstrained A in the flat space ℝ^{n×n}, the gradient taken through
 * expm exactly (`expmGradient`, the adjoint Fréchet derivative). Every `foldEvery` steps,
 * or when A has grown past `foldNorm`, the trivialization is re-centred: R_base ← R,
 * A ← 0, Adam's moments and bias correction reset. Re-centring keeps expm near the
 * identity, where it is well conditioned and (unlike seed-gd's fixed base) never reaches
 * its cut locus.
 *
 * The reported gradNorm (and the gradTol test) is the Riemannian ‖skew(∇f·Rᵀ)‖_F, not
 * ‖∂f/∂A‖.
 */
export function dynamicTrivialization(
  options: Partial<DynTrivOptions> = {},
): ExtraRotationOptimizer {
  const o: DynTrivOptions = { ...optimizerDefaults('dyntriv'), ...options }
  const delta = 1e-12
  return {
    name: 'dyntriv',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      let base: Mat[] = init.map(clone)
      let current: Mat[] = init.map(clone)
      let a = init.map((r) => zeros(r.rows, r.cols))
      let m = init.map((r) => zeros(r.rows, r.cols))
      let v = init.map((r) => zeros(r.rows, r.cols))
      let t = 0
      let sinceFold = 0
      const loop = await runLoop(rules, hooks, (_index, progress) => {
        const samples = drawBatch(problem, o.batchSize, hooks.rng)
        const { value, grads } = problem.evaluate(current, { grad: true, samples })
        let norm2 = 0
        current.forEach((r, i) => (norm2 += frobenius(riemannianGradient(r, grads![i])) ** 2))
        const gradNorm = Math.sqrt(norm2)
        if (gradNorm < rules.gradTol) return { value, gradNorm }
        t++
        sinceFold++
        const lr = stepSize(o, t, progress)
        const c1 = 1 - o.beta1 ** t
        const c2 = 1 - o.beta2 ** t
        let fold = sinceFold >= o.foldEvery
        a = a.map((ai, i) => {
          const x = axpby(1, ai, -1, transpose(ai))
          // R = expm(X)·R_base: ∂f/∂expm(X) = G·R_baseᵀ, then back through expm and X = A − Aᵀ.
          const gx = expmGradient(x, matmulNT(grads![i], base[i]))
          const ga = axpby(1, gx, -1, transpose(gx))
          const next = clone(ai)
          const mi = m[i].data
          const vi = v[i].data
          for (let e = 0; e < mi.length; e++) {
            const g = ga.data[e]
            mi[e] = o.beta1 * mi[e] + (1 - o.beta1) * g
            vi[e] = o.beta2 * vi[e] + (1 - o.beta2) * g * g
            next.data[e] -= (lr * (mi[e] / c1)) / (Math.sqrt(vi[e] / c2) + delta)
          }
          const xNext = axpby(1, next, -1, transpose(next))
          if (frobenius(xNext) > o.foldNorm) fold = true
          current[i] = matmul(expm(xNext), base[i])
          return next
        })
        if (fold) {
          base = current.map((r) => reorthonormalize(r))
          current = base.map(clone)
          a = base.map((r) => zeros(r.rows, r.cols))
          sinceFold = 0
          if (o.resetMoments) {
            m = base.map((r) => zeros(r.rows, r.cols))
            v = base.map((r) => zeros(r.rows, r.cols))
            t = 0
          }
        }
        return { value, gradNorm }
      })
      return { ...loop, rotations: current.map((r) => reorthonormalize(r)) }
    },
  }
}
