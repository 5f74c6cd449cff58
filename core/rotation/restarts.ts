import { type Mat, identity, matmulNT } from '../linalg/matrix.ts'
import { type Rng, createRng } from '../random/prng.ts'
import type {
  ExtraRotationOptimizer,
  RotationOptimizer,
  StopReason,
  StoppingRules,
} from './optimizers/optimizer.ts'
import type { RotationProblem } from './problem.ts'
import { haarRotation } from './retraction.ts'

/** How each start's rotations are drawn: Haar (default), identity, or a custom function. */
export type RestartInit =
  'random' | 'identity' | ((start: number, rng: Rng, dims: readonly number[]) => Mat[])

export interface RestartOptions {
  /** Number of starts K. */
  readonly starts: number
  /** Seeds every start's init and optimizer stream (start k uses fork `start-k`). */
  readonly seed: number
  /** Stopping rules for each start. */
  readonly rules: StoppingRules
  readonly initKind?: RestartInit
  /** A start "reached the best" when its value is within this relative tolerance; 1e-3. */
  readonly valueTol?: number
  /** Bases match when |R_a·R_bᵀ| is a permutation to within this (max per row > 1 − tol); 1e-3. */
  readonly matchTol?: number
  /** Called after each start. */
  onStart?(result: RestartResult, done: number): void
}

export interface RestartResult {
  readonly start: number
  /** The full objective at the returned rotations. */
  readonly value: number
  readonly rotations: Mat[]
  readonly steps: number
  readonly seconds: number
  readonly stopReason: StopReason
  /** Stopped on the gradient tolerance (a stationary point, to the rules' gradTol). */
  readonly converged: boolean
  /** Index of the start's basis class in `census` (equal up to sign and permutation). */
  readonly minimum: number
}

export interface RestartCensus {
  /** Starts run (fewer than asked when cancelled). */
  readonly starts: number
  readonly converged: number
  /** Starts whose value is within valueTol (relative) of the best. */
  readonly reachedBest: number
  /**
   * Distinct bases among the results, counting bases equal up to the sign and order of
   * their directions (for every free rotation) as one.
   */
  readonly distinctMinima: number
  /** The best start and its value. */
  readonly best: { readonly start: number; readonly value: number }
  /** How many results fall in each basis class, by class index. */
  readonly minimaSizes: number[]
}

/**
 * Runs one optimizer from K starts on the same problem and takes a census of where they
 * end: how many converged, how many reached the best value, and how many genuinely
 * different bases they found (a landscape with one basin up to the objective's
 * sign/permutation symmetry reports 1). Starts run one after another; a cancel signal
 * in `rules` stops launching new ones.
 */
export async function runRestarts(
  problem: RotationProblem,
  optimizer: RotationOptimizer | ExtraRotationOptimizer,
  options: RestartOptions,
): Promise<{ results: RestartResult[]; census: RestartCensus }> {
  const valueTol = options.valueTol ?? 1e-3
  const matchTol = options.matchTol ?? 1e-3
  const init = options.initKind ?? 'random'
  const root = createRng(options.seed)
  const representatives: Mat[][] = []
  const results: RestartResult[] = []
  for (let k = 0; k < options.starts; k++) {
    if (options.rules.signal?.aborted) break
    const rng = root.fork(`start-${k}`)
    const start =
      init === 'random'
        ? problem.dims.map((n) => haarRotation(n, rng))
        : init === 'identity'
          ? problem.dims.map((n) => identity(n))
          : init(k, rng, problem.dims)
    const res = await optimizer.optimize(problem, start, options.rules, {
      rng: rng.fork('optimizer'),
    })
    const value = problem.evaluate(res.rotations, { grad: false }).value
    let minimum = representatives.findIndex((rep) =>
      rep.every((r, i) => sameBasisUpToSignPermutation(r, res.rotations[i], matchTol)),
    )
    if (minimum < 0) {
      minimum = representatives.length
      representatives.push(res.rotations)
    }
    const result: RestartResult = {
      start: k,
      value,
      rotations: res.rotations,
      steps: res.steps,
      seconds: res.seconds,
      stopReason: res.stopReason,
      converged: res.stopReason === 'tolerance',
      minimum,
    }
    results.push(result)
    options.onStart?.(result, results.length)
  }
  return { results, census: census(results, valueTol, representatives.length) }
}

function census(results: RestartResult[], valueTol: number, distinct: number): RestartCensus {
  let best = { start: -1, value: Infinity }
  for (const r of results) if (r.value < best.value) best = { start: r.start, value: r.value }
  const minimaSizes = Array.from({ length: distinct }, () => 0)
  for (const r of results) minimaSizes[r.minimum]++
  return {
    starts: results.length,
    converged: results.filter((r) => r.converged).length,
    reachedBest: results.filter((r) => r.value - best.value <= valueTol * Math.abs(best.value))
      .length,
    distinctMinima: distinct,
    best,
    minimaSizes,
  }
}

/**
 * Whether two bases (rows = directions) are the same up to the sign and order of their
 * directions: |A·Bᵀ| is then a permutation matrix. Checked as: every row of |A·Bᵀ| has
 * an entry above 1 − tol, in distinct columns.
 */
export function sameBasisUpToSignPermutation(a: Mat, b: Mat, tol = 1e-3): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols) return false
  const c = matmulNT(a, b)
  const n = c.rows
  const used = new Uint8Array(c.cols)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let j = 1; j < c.cols; j++) {
      if (Math.abs(c.data[i * c.cols + j]) > Math.abs(c.data[i * c.cols + best])) best = j
    }
    if (Math.abs(c.data[i * c.cols + best]) <= 1 - tol || used[best]) return false
    used[best] = 1
  }
  return true
}
