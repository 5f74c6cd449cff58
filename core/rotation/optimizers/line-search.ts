import { type Mat, dot, scale } from '../../linalg/matrix.ts'
import { cayleyStep } from '../retraction.ts'
import type { StoppingRules } from './optimizer.ts'

/**
 * Shared pieces of the line-search optimizers (rgd-armijo, rcg). Search directions are
 * right-trivialised: one skew P_i ∈ so(n_i) per free rotation, moving R_i along
 * α ↦ cay(αP_i)·R_i ≈ (I − αP_i)·R_i, whose slope at α = 0 is −Σ_i ⟨Ω_i, P_i⟩ with
 * Ω_i = skew(∇_i f·R_iᵀ) the Riemannian gradient.
 */

export interface ArmijoOptions {
  /** Sufficient-decrease constant c in f(α) ≤ f(0) − c·α·⟨Ω, P⟩. */
  readonly c: number
  /** Halvings of α before the search gives up (and the step is not taken). */
  readonly maxHalvings: number
}

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
