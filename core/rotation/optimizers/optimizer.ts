import type { OptimizerName as ConfigOptimizerName } from '../../api/config/optimizer.ts'
import { throwIfCancelled } from '../../errors.ts'
import type { Mat } from '../../linalg/matrix.ts'
import type { Rng } from '../../random/prng.ts'
import type { RotationProblem } from '../problem.ts'

/** The config's optimizers, and Adam on the oblique manifold (chosen by rotation.transform). */
export type OptimizerName = ConfigOptimizerName | 'oblique-adam'

/** The stopping rules every optimizer obeys (DESIGN.md §1): whichever comes first. */
export interface StoppingRules {
  readonly maxSteps: number
  /** Wall-time budget in seconds for this problem. */
  readonly budgetSeconds: number
  /** Stop when the (Riemannian) gradient norm falls below this. */
  readonly gradTol: number
  readonly signal?: AbortSignal
}

/**
 * 'ill-conditioned': an oblique optimizer refused a step that would have made a transform's
 * condition number exceed its bound (the run keeps the last point within it).
 */
export type StopReason = 'steps' | 'budget' | 'tolerance' | 'cancelled' | 'ill-conditioned'

export interface StepRecord {
  readonly step: number
  readonly seconds: number
  /** Objective on the step's sample (a minibatch for stochastic optimizers). */
  readonly value: number
  readonly gradNorm: number
}

export interface OptimizeResult {
  readonly rotations: Mat[]
  readonly steps: number
  readonly seconds: number
  readonly stopReason: StopReason
  readonly history: StepRecord[]
}

export interface OptimizeHooks {
  readonly rng: Rng
  /**
   * After every step. `current()` returns the rotations as they are after that step (for
   * checkpoints; computing them can cost a little, so only call it when needed).
   */
  onStep?(record: StepRecord, fraction: number, current: () => readonly Mat[]): void
}

export interface RotationOptimizer {
  readonly name: OptimizerName
  optimize(
    problem: RotationProblem,
    init: readonly Mat[],
    rules: StoppingRules,
    hooks: OptimizeHooks,
  ): Promise<OptimizeResult>
}

/** Lets cancel messages and timers run between steps of a synchronous compute loop. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * The loop all optimizers share, so they stop by exactly the same rules. `step` does one
 * iteration and reports the objective and gradient norm it saw; a `stop` reason ends the
 * run after that step (its record is kept).
 */
export async function runLoop(
  rules: StoppingRules,
  hooks: OptimizeHooks,
  step: (index: number, progress: number) => { value: number; gradNorm: number; stop?: StopReason },
  current: () => readonly Mat[] = () => [],
): Promise<{ steps: number; seconds: number; stopReason: StopReason; history: StepRecord[] }> {
  const t0 = performance.now()
  // Time spent in hooks (progress reporting, a benchmark's checkpoints) is not the
  // optimizer's: it is left out of the budget and of the recorded times.
  let hookMs = 0
  const elapsed = (): number => (performance.now() - t0 - hookMs) / 1000
  const history: StepRecord[] = []
  let steps = 0
  let stopReason: StopReason = 'steps'
  for (;;) {
    if (rules.signal?.aborted) {
      stopReason = 'cancelled'
      break
    }
    if (steps >= rules.maxSteps) {
      stopReason = 'steps'
      break
    }
    if (elapsed() >= rules.budgetSeconds) {
      stopReason = 'budget'
      break
    }
    const progress = Math.min(1, Math.max(steps / rules.maxSteps, elapsed() / rules.budgetSeconds))
    const r = step(steps, progress)
    steps++
    const record: StepRecord = {
      step: steps,
      seconds: elapsed(),
      value: r.value,
      gradNorm: r.gradNorm,
    }
    history.push(record)
    const h0 = performance.now()
    hooks.onStep?.(
      record,
      Math.max(steps / rules.maxSteps, record.seconds / rules.budgetSeconds),
      current,
    )
    hookMs += performance.now() - h0
    if (r.stop) {
      stopReason = r.stop
      break
    }
    if (r.gradNorm < rules.gradTol) {
      stopReason = 'tolerance'
      break
    }
    await yieldToEventLoop()
  }
  return { steps, seconds: elapsed(), stopReason, history }
}

/** A minibatch of sample indices, or undefined for the full objective. */
export function drawBatch(
  problem: RotationProblem,
  batchSize: number | null,
  rng: Rng,
): number[] | undefined {
  if (batchSize === null || batchSize >= problem.nSamples) return undefined
  const picked = new Set<number>()
  while (picked.size < batchSize) picked.add(rng.int(problem.nSamples))
  return [...picked].sort((a, b) => a - b)
}

export { throwIfCancelled }

/**
 * Optimizers beyond the config union's original two (registered in `EXTRA_OPTIMIZERS`,
 * index.ts). Widening `OptimizerName` to `… | ExtraOptimizerName` makes every
 * `ExtraRotationOptimizer` a `RotationOptimizer`.
 */
export type ExtraOptimizerName = Exclude<ConfigOptimizerName, 'seed-gd' | 'riemannian-adam'>

export interface ExtraRotationOptimizer extends Omit<RotationOptimizer, 'name'> {
  readonly name: ExtraOptimizerName
}
