import { optimizerDefaults } from '../../api/config/optimizer.ts'
import { type Mat, frobenius, zeros } from '../../linalg/matrix.ts'
import { reorthonormalize } from '../retraction.ts'
import type { RotationProblem } from '../problem.ts'
import { expmRotation, gradientOnA } from './expm-parametrization.ts'
import type { ExtraRotationOptimizer } from './optimizer.ts'
import { drawBatch, runLoop } from './optimizer.ts'

export interface ReferenceAdamOptions {
  readonly lr: number
  readonly beta1: number
  readonly beta2: number
  /** Inputs per step; null = all objective inputs (what the reference uses). */
  readonly batchSize: number | null
}

/** torch.optim.Adam's ε. */
const EPS = 1e-8

/**
 * The yardstick the default optimizer is measured against: what a PyTorch user would
 * write for this problem — R = matrix_exp(A − Aᵀ)·R₀, full-batch Adam on A (lr 1e-2, no
 * schedule), autograd through the exponential (here the exact adjoint Fréchet derivative).
 * Per coordinate of A: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², A ← A − lr·m̂/(√v̂ + ε).
 */
export function referenceAdam(partial: Partial<ReferenceAdamOptions> = {}): ExtraRotationOptimizer {
  const options: ReferenceAdamOptions = { ...optimizerDefaults('reference-adam'), ...partial }
  return {
    name: 'reference-adam',
    async optimize(problem: RotationProblem, init, rules, hooks) {
      const a = init.map((r) => zeros(r.rows, r.cols))
      const m = init.map((r) => zeros(r.rows, r.cols))
      const v = init.map((r) => zeros(r.rows, r.cols))
      let current: Mat[] = init.map((r, i) => expmRotation(a[i], r))
      const loop = await runLoop(
        rules,
        hooks,
        (index) => {
          const samples = drawBatch(problem, options.batchSize, hooks.rng)
          const { value, grads } = problem.evaluate(current, { grad: true, samples })
          const t = index + 1
          const c1 = 1 - options.beta1 ** t
          const c2 = 1 - options.beta2 ** t
          let norm2 = 0
          grads!.forEach((g, i) => {
            const ga = gradientOnA(a[i], init[i], g).data
            norm2 += frobenius({ rows: 0, cols: 0, data: ga }) ** 2
            const [ai, mi, vi] = [a[i].data, m[i].data, v[i].data]
            for (let e = 0; e < ai.length; e++) {
              mi[e] = options.beta1 * mi[e] + (1 - options.beta1) * ga[e]
              vi[e] = options.beta2 * vi[e] + (1 - options.beta2) * ga[e] * ga[e]
              ai[e] -= (options.lr * (mi[e] / c1)) / (Math.sqrt(vi[e] / c2) + EPS)
            }
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
