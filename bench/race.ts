import type { Mat } from '../core/linalg/matrix.ts'
import { identity } from '../core/linalg/matrix.ts'
import { createRng } from '../core/random/prng.ts'
import type { RotationOptimizer } from '../core/rotation/optimizers/index.ts'
import type { RotationProblem } from '../core/rotation/problem.ts'

export interface Checkpoint {
  readonly seconds: number
  readonly objective: number
}

export interface RaceResult {
  readonly steps: number
  readonly seconds: number
  readonly checkpoints: Checkpoint[]
  readonly rotations: Mat[]
}

/**
 * Runs one optimizer from the identity for `budget` seconds of its own time and records
 * the full objective along the way. Full-batch optimizers see the full objective at every
 * step (each record is the objective where that step started); the others are evaluated
 * at geometric checkpoints of their clock, `ratio` apart, outside their time.
 */
export async function race(
  problem: RotationProblem,
  optimizer: RotationOptimizer,
  budget: number,
  options: { readonly fullBatch: boolean; readonly ratio?: number },
): Promise<RaceResult> {
  const start = [identity(problem.dims[0])]
  const full = (r: readonly Mat[]): number => problem.evaluate(r, { grad: false }).value
  const checkpoints: Checkpoint[] = []
  if (!options.fullBatch) checkpoints.push({ seconds: 0, objective: full(start) })
  const ratio = options.ratio ?? 1.15
  let next = 0.2
  let previous = 0
  const result = await optimizer.optimize(
    problem,
    start,
    { maxSteps: 10_000_000, budgetSeconds: budget, gradTol: 0 },
    {
      rng: createRng(1),
      onStep: (rec, _f, current) => {
        if (options.fullBatch) {
          checkpoints.push({ seconds: previous, objective: rec.value })
          previous = rec.seconds
        } else if (rec.seconds >= next) {
          checkpoints.push({ seconds: rec.seconds, objective: full(current()) })
          next = Math.max(next * ratio, rec.seconds * 1.02)
        }
      },
    },
  )
  checkpoints.push({ seconds: result.seconds, objective: full(result.rotations) })
  return {
    steps: result.steps,
    seconds: result.seconds,
    checkpoints,
    rotations: result.rotations,
  }
}

/** The first checkpoint at or below `level`, in optimizer seconds; null: never. */
export function secondsTo(checkpoints: readonly Checkpoint[], level: number): number | null {
  return checkpoints.find((c) => c.objective <= level)?.seconds ?? null
}

export function best(checkpoints: readonly Checkpoint[]): Checkpoint {
  return checkpoints.reduce((a, b) => (b.objective < a.objective ? b : a))
}
