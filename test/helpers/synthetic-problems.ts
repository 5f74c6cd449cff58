import {
  type Mat,
  matmul,
  matmulNT,
  matmulTN,
  orthogonalityError,
  zeros,
} from '../../core/linalg/matrix.ts'
import { createRng } from '../../core/random/prng.ts'
import type { RotationProblem } from '../../core/rotation/problem.ts'
import { haarRotation } from '../../core/rotation/retraction.ts'
import type { OptimizeHooks, StoppingRules } from '../../core/rotation/optimizers/optimizer.ts'
import { asSpaces } from '../../core/model/indices.ts'

// Test fixtures (used by the optimizer and restart tests): synthetic single-rotation problems
// with known answers, and the tests' stopping rules.

/** What the synthetic problems share: the objective, its evaluation counters, the answer. */
export interface SyntheticProblem {
  /** One "layer", one free rotation. */
  readonly problem: RotationProblem
  /** The rotation to find. */
  readonly q: Mat
  /** f on all objective inputs. */
  f(r: Mat): number
  /** Euclidean gradient ∂f/∂R on all objective inputs. */
  grad(r: Mat): Mat
  /** Largest orthogonalityError of any point the optimizer evaluated. */
  worstOrthogonality(): number
  evaluations(): { withGrad: number; withoutGrad: number }
}

/**
 * The planted sparse-recovery problem: A = Qᵀ·S with S (n × m) having `k` random nonzeros
 * per column and Q Haar; the objective f(R) = Σ_ij s((R·A)_ij), ∂f/∂R = s'(R·A)·Aᵀ, with
 * the smoothed lp measure s(x) = (x² + ε²)^(p/2), p = 0.5, ε = 1e-2, in float64, is small
 * at R = Q (and at every signed permutation of Q): Q·A = S is sparse. `samples` splits
 * the m columns into that many objective inputs so minibatches work.
 */
export interface PlantedProblem extends SyntheticProblem {
  readonly a: Mat
}

const P = 0.5
const EPS2 = 1e-2 * 1e-2
const s = (x: number): number => (x * x + EPS2) ** (P / 2)
const ds = (x: number): number => P * x * (x * x + EPS2) ** (P / 2 - 1)

export function plantedSparseProblem(
  n: number,
  m: number,
  k: number,
  seed: number,
  samples = 1,
): PlantedProblem {
  const rng = createRng(seed)
  const sparse = zeros(n, m)
  for (let c = 0; c < m; c++) {
    for (let t = 0; t < k; t++) sparse.data[rng.int(n) * m + c] = rng.normal()
  }
  const q = haarRotation(n, rng)
  const a = matmulTN(q, sparse)
  return fromColumns(a, q, samples)
}

/** The same objective for any A, with its columns split into `samples` inputs. */
export function fromColumns(a: Mat, q: Mat, samples = 1): PlantedProblem {
  const n = a.rows
  const m = a.cols
  let worst = 0
  let withGrad = 0
  let withoutGrad = 0
  const columnsOf = (idx: readonly number[] | undefined): Mat => {
    if (!idx) return a
    const cols: number[] = []
    for (const sIdx of idx) for (let c = sIdx; c < m; c += samples) cols.push(c)
    const sub = zeros(n, cols.length)
    for (let i = 0; i < n; i++) {
      cols.forEach((c, j) => (sub.data[i * cols.length + j] = a.data[i * m + c]))
    }
    return sub
  }
  const fOf = (r: Mat, x: Mat): number => matmul(r, x).data.reduce((acc, v) => acc + s(v), 0)
  const gradOf = (r: Mat, x: Mat): Mat => {
    const y = matmul(r, x)
    return matmulNT({ ...y, data: y.data.map(ds) }, x)
  }
  const problem: RotationProblem = {
    free: asSpaces(1),
    dims: [n],
    nSamples: samples,
    evaluate(rotations, options) {
      if (rotations.length !== 1) throw new Error(`expected 1 rotation, got ${rotations.length}`)
      const r = rotations[0]
      worst = Math.max(worst, orthogonalityError(r))
      if (options.grad) withGrad++
      else withoutGrad++
      const x = columnsOf(options.samples)
      const value = fOf(r, x)
      return { value, perLayer: [value], grads: options.grad ? [gradOf(r, x)] : null }
    },
  }
  return {
    problem,
    a,
    q,
    f: (r) => fOf(r, a),
    grad: (r) => gradOf(r, a),
    worstOrthogonality: () => worst,
    evaluations: () => ({ withGrad, withoutGrad }),
  }
}

/**
 * A smooth problem with a known minimiser: f(R) = −⟨R, B⟩ = −tr(Rᵀ·B) with B = Q·P,
 * Q ∈ SO(n) and P symmetric positive definite with eigenvalues spread over
 * [1, condition]: the minimum over SO(n) is at R = Q (the polar factor of B), f* = −tr P.
 * Gradient descent needs ~condition steps; CG ~√condition.
 */
export interface ProcrustesProblem extends SyntheticProblem {
  /** The minimum, f(Q) = −tr P. */
  readonly fStar: number
}

export function procrustesProblem(n: number, condition: number, seed: number): ProcrustesProblem {
  const rng = createRng(seed)
  const q = haarRotation(n, rng)
  if (determinantSign(q) < 0) for (let j = 0; j < n; j++) q.data[j] = -q.data[j]
  const v = haarRotation(n, rng)
  const lambda = Array.from({ length: n }, (_, i) => (n === 1 ? 1 : condition ** (i / (n - 1))))
  const p = zeros(n, n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0
      for (let k = 0; k < n; k++) x += v.data[k * n + i] * lambda[k] * v.data[k * n + j]
      p.data[i * n + j] = x
    }
  }
  const b = matmul(q, p)
  const negB: Mat = { ...b, data: b.data.map((x) => -x) }
  const f = (r: Mat): number => {
    let x = 0
    for (let i = 0; i < r.data.length; i++) x -= r.data[i] * b.data[i]
    return x
  }
  let withGrad = 0
  let withoutGrad = 0
  let worst = 0
  const problem: RotationProblem = {
    free: asSpaces(1),
    dims: [n],
    nSamples: 1,
    evaluate(rotations, options) {
      const r = rotations[0]
      worst = Math.max(worst, orthogonalityError(r))
      if (options.grad) withGrad++
      else withoutGrad++
      const value = f(r)
      return { value, perLayer: [value], grads: options.grad ? [negB] : null }
    },
  }
  return {
    problem,
    q,
    fStar: -lambda.reduce((s, x) => s + x, 0),
    f,
    grad: () => negB,
    evaluations: () => ({ withGrad, withoutGrad }),
    worstOrthogonality: () => worst,
  }
}

/** sign(det A) by Gaussian elimination with partial pivoting. */
export function determinantSign(a: Mat): number {
  const n = a.rows
  const m = new Float64Array(a.data)
  let sign = 1
  for (let k = 0; k < n; k++) {
    let p = k
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i
    if (m[p * n + k] === 0) return 0
    if (p !== k) {
      sign = -sign
      for (let j = 0; j < n; j++) [m[k * n + j], m[p * n + j]] = [m[p * n + j], m[k * n + j]]
    }
    if (m[k * n + k] < 0) sign = -sign
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / m[k * n + k]
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j]
    }
  }
  return sign
}

/** Stopping rules for tests: 100 steps, a 60 s budget, gradTol 0, unless overridden. */
export const testRules = (overrides: Partial<StoppingRules> = {}): StoppingRules => ({
  maxSteps: 100,
  budgetSeconds: 60,
  gradTol: 0,
  ...overrides,
})

/** Hooks for tests: a fixed rng, no onStep. */
export const testHooks = (): OptimizeHooks => ({ rng: createRng(1) })

/**
 * A planted problem (`plantedSparseProblem(n, m, k, seed, samples)`) and a Haar-random
 * start, drawn from rng seed `initSeed` (100 + seed unless given).
 */
export function plantedStart(
  n: number,
  m: number,
  k: number,
  seed: number,
  { samples = 1, initSeed = 100 + seed }: { samples?: number; initSeed?: number } = {},
): { syn: PlantedProblem; init: Mat } {
  return {
    syn: plantedSparseProblem(n, m, k, seed, samples),
    init: haarRotation(n, createRng(initSeed)),
  }
}
