import { type Mat, clone, dot, scale } from '../../linalg/matrix.ts'
import type { RotationProblem } from '../problem.ts'
import { cayleyStep, reorthonormalize, riemannianGradient } from '../retraction.ts'
import {
  type ExtraOptimizerName,
  type ExtraRotationOptimizer,
  type StoppingRules,
  drawBatch,
  runLoop,
} from './optimizer.ts'

/**
 * Shared pieces of the line-search optimizers (rgd-armijo, rcg). Search directions are
 * right-trivialised: one skew P_i ∈ so(n_i) per free rotation, moving R_i along
 * α ↦ cay(αP_i)·R_i ≈ (I − αP_i)·R_i, whose slope at α = 0 is −Σ_i ⟨Ω_i, P_i⟩ with
 * Ω_i = skew(∇_i f·R_iᵀ) the Riemannian gradient.
 */

/** The options rgd-armijo and rcg share (RgdArmijoOptions, and RcgOptions with `restartEvery`). */
export interface LineSearchOptions {
  /**
   * Length of the first trial step in so(n) (Frobenius norm of α·P for the search direction
   * P, P = Ω on a gradient step): the first α is alpha0/‖P‖. Later steps start from the
   * previous step's α (doubled after a step accepted without halving; rcg also rescales it).
   */
  readonly alpha0: number
  /** Armijo sufficient-decrease constant c in f(α) ≤ f(0) − c·α·⟨Ω, P⟩. */
  readonly c: number
  /**
   * Halvings of α per step before the search gives up; the step is then not taken. A failed
   * gradient direction on the full batch ends the run as converged (stopReason 'tolerance':
   * no decrease the objective's round-off can resolve, see `rulesWithStall`); after a failed
   * minibatch step (or a failed rcg direction) the next step restarts from the gradient
   * with α = alpha0/‖Ω‖.
   */
  readonly maxHalvings: number
  /**
   * Inputs per step; null = all objective inputs (the default, and what a line search
   * wants: a deterministic objective). With a minibatch, one batch serves the gradient
   * and all trials of a step.
   */
  readonly batchSize: number | null
}

/** The options `armijo` itself reads. */
export type ArmijoOptions = Pick<LineSearchOptions, 'c' | 'maxHalvings'>

export interface ArmijoResult {
  readonly accepted: boolean
  /** The accepted α, or the last (smallest) one tried. */
  readonly alpha: number
  readonly halvings: number
  /** The accepted point (the start point when not accepted). */
  readonly rotations: Mat[]
  readonly value: number
}

/** Σ_i ⟨A_i, B_i⟩ over a list of same-shaped matrices. */
export function innerAll(a: readonly Mat[], b: readonly Mat[]): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += dot(a[i], b[i])
  return s
}

/** R_i ← cay(α·P_i)·R_i for every free rotation. */
export function retractAll(rotations: readonly Mat[], directions: readonly Mat[], alpha: number) {
  return rotations.map((r, i) => cayleyStep(r, scale(directions[i], alpha)))
}

/**
 * Backtracking (Armijo) along the Cayley curve: tries α, α/2, α/4, … until
 * f(cay(αP)·R) ≤ f(R) − c·α·slope (and < f(R)), where slope = ⟨Ω, P⟩ > 0. One objective evaluation
 * (no gradient) per trial.
 */
export function armijo(
  value: (rotations: readonly Mat[]) => number,
  rotations: readonly Mat[],
  directions: readonly Mat[],
  f0: number,
  slope: number,
  alpha0: number,
  options: ArmijoOptions,
): ArmijoResult {
  let alpha = alpha0
  for (let halvings = 0; halvings <= options.maxHalvings; halvings++) {
    const trial = retractAll(rotations, directions, alpha)
    const f = value(trial)
    // Strictly below f0 too: once c·α·slope drops under f0's ulp, f = f0 is no progress.
    if (f < f0 && f <= f0 - options.c * alpha * slope) {
      return { accepted: true, alpha, halvings, rotations: trial, value: f }
    }
    if (halvings < options.maxHalvings) alpha /= 2
  }
  return {
    accepted: false,
    alpha,
    halvings: options.maxHalvings,
    rotations: [...rotations],
    value: f0,
  }
}

/**
 * The stopping rules with one addition: once `isStalled()` is true, the gradient
 * tolerance becomes +∞, so runLoop ends after the current step with stopReason
 * 'tolerance' (the step's record keeps the true gradient norm). Used when a full-batch
 * line search finds no resolvable decrease: the objective's round-off (float32
 * Jacobians: ~1e-7 relative) then hides any further progress, and repeating the same
 * search at the same point would only spend the budget.
 */
export function rulesWithStall(rules: StoppingRules, isStalled: () => boolean): StoppingRules {
  return {
    maxSteps: rules.maxSteps,
    budgetSeconds: rules.budgetSeconds,
    signal: rules.signal,
    get gradTol() {
      return isStalled() ? Infinity : rules.gradTol
    },
  }
}

/** One step's start point, as `lineSearchOptimizer` hands it to the optimizer's `move`. */
export interface LineSearchPoint {
  /** The objective on this step's batch. */
  readonly value: number
  /** Ω_i = skew(∇_i f·R_iᵀ) on this step's batch (nonzero). */
  readonly omega: Mat[]
  /** ‖Ω‖² */
  readonly g2: number
  readonly gradNorm: number
  /** The step uses all objective inputs (no minibatch): the objective is deterministic. */
  readonly fullBatch: boolean
  /** `armijo` from this point along `directions`, on this step's batch. */
  search(directions: readonly Mat[], slope: number, alpha0: number): ArmijoResult
}

/**
 * What `move` decides: the next rotations, 'stay' (the step is not taken), or 'stalled'
 * (not taken, and the run ends as converged: see `rulesWithStall`).
 */
export type LineSearchMove = Mat[] | 'stay' | 'stalled'

/**
 * The optimizer rgd-armijo and rcg share. Each step draws a batch, evaluates f with its
 * gradient at the current point and Ω there, and, unless runLoop will stop on that
 * gradient norm (or Ω = 0), lets `move` pick the direction and the next point. `begin`
 * sets up a run's state (once per `optimize` call) and returns its `move`.
 */
export function lineSearchOptimizer(
  name: ExtraOptimizerName,
  options: LineSearchOptions,
  begin: (problem: RotationProblem) => (at: LineSearchPoint) => LineSearchMove,
): ExtraRotationOptimizer {
  return {
    name,
    async optimize(problem, init, rules, hooks) {
      const move = begin(problem)
      let rotations: Mat[] = init.map(clone)
      let stalled = false
      const loop = await runLoop(
        rulesWithStall(rules, () => stalled),
        hooks,
        () => {
          const samples = drawBatch(problem, options.batchSize, hooks.rng)
          const start = rotations
          const { value, grads } = problem.evaluate(start, { grad: true, samples })
          const omega = start.map((r, i) => riemannianGradient(r, grads![i]))
          const g2 = innerAll(omega, omega)
          const gradNorm = Math.sqrt(g2)
          // runLoop stops on this step's gradNorm: do not move off the point it judged.
          if (gradNorm < rules.gradTol || g2 === 0) return { value, gradNorm }
          const f = (rs: readonly Mat[]): number =>
            problem.evaluate(rs, { grad: false, samples }).value
          const next = move({
            value,
            omega,
            g2,
            gradNorm,
            fullBatch: samples === undefined,
            search: (directions, slope, alpha0) =>
              armijo(f, start, directions, value, slope, alpha0, options),
          })
          if (next === 'stalled') stalled = true
          else if (next !== 'stay') rotations = next
          return { value, gradNorm }
        },
      )
      return { ...loop, rotations: rotations.map((r) => reorthonormalize(r)) }
    },
  }
}
