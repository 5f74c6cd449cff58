/** The step-size schedule the Adam-type optimizers share. */
export interface StepSizeSchedule {
  readonly lr: number
  /** The step size anneals by cosine from lr to lr·finalLrFraction over the budget. */
  readonly finalLrFraction: number
  /** Steps over which it first ramps up linearly from lr/warmupSteps (0 = no ramp). */
  readonly warmupSteps?: number
}

/**
 * The step size at step t (1-based) when `progress` ∈ [0, 1] of the budget is spent: a
 * linear warm-up over the first `warmupSteps` steps times a cosine anneal over the budget.
 */
export function stepSize(schedule: StepSizeSchedule, t: number, progress: number): number {
  const warmup = schedule.warmupSteps ?? 0
  const ramp = warmup > 0 ? Math.min(1, t / warmup) : 1
  const f = schedule.finalLrFraction
  return ramp * schedule.lr * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * progress)))
}
