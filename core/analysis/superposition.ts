import { type Mat, mat } from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'

/**
 * Toy models of superposition (Elhage et al. 2022, "Toy Models of Superposition"): n
 * sparse features squeezed through m hidden dimensions, h = W·x, x' = ReLU(Wᵀ·h + b).
 * With m ≥ n features get orthogonal directions, and some rotation of the hidden space
 * lines its axes up with them; with m < n and sparse features the model packs more
 * than m features into non-orthogonal directions, and no basis can recover them all.
 * That gives a ground truth for asking whether a learned basis finds "the features".
 * Everything is plain float64 JS: the models are tiny.
 */

export interface SparseFeatureOptions {
  /** Number of features. */
  readonly n: number
  /** Number of samples. */
  readonly count: number
  /** Probability that a feature is present (1 − sparsity). */
  readonly p: number
  readonly seed: number
}

/** [count × n]: each feature independently present with probability p, value U(0, 1). */
export function makeSparseFeatures({ n, count, p, seed }: SparseFeatureOptions): Float32Array {
  const rng = createRng(seed)
  const x = new Float32Array(count * n)
  for (let e = 0; e < x.length; e++) if (rng.next() < p) x[e] = rng.next()
  return x
}

export interface ToyModelOptions {
  /** Features. */
  readonly n: number
  /** Hidden dimensions. */
  readonly m: number
  /** importance_i = importanceDecay^i (default 1: all equal). */
  readonly importanceDecay?: number
  /** Feature probability. */
  readonly p: number
  readonly steps: number
  /** Adam learning rate. */
  readonly lr: number
  readonly seed: number
  /** Fresh samples per step (default 256). */
  readonly batchSize?: number
}

export interface ToyModel {
  /** [m × n]: column i is feature i's embedding. */
  readonly W: Mat
  /** [n] */
  readonly b: Float64Array
  readonly importance: Float64Array
  /** Mean importance-weighted squared error over the last 10% of steps. */
  readonly finalLoss: number
}

/**
 * Trains the toy model with Adam on the importance-weighted MSE (`toyModelLoss`), a
 * fresh sparse batch every step. W starts Xavier-normal, b at zero.
 */
export function trainToyModel(options: ToyModelOptions): ToyModel {
  const { n, m, p, steps, lr, seed } = options
  const decay = options.importanceDecay ?? 1
  const batch = options.batchSize ?? 256
  const rng = createRng(seed)
  const dataRng = rng.fork('data')
  const importance = Float64Array.from({ length: n }, (_, i) => decay ** i)
  const w = mat(m, n)
  const std = Math.sqrt(2 / (m + n))
  for (let e = 0; e < w.data.length; e++) w.data[e] = std * rng.normal()
  const b = new Float64Array(n)
  const adamW = adam(w.data.length)
  const adamB = adam(n)
  const x = new Float64Array(batch * n)
  let lossTail = 0
  let tailSteps = 0
  const tailStart = Math.floor(steps * 0.9)
  for (let step = 0; step < steps; step++) {
    for (let e = 0; e < x.length; e++) x[e] = dataRng.next() < p ? dataRng.next() : 0
    const { loss, gradW, gradB } = toyModelLoss(w, b, x, batch, importance)
    adamW(w.data, gradW, lr)
    adamB(b, gradB, lr)
    if (step >= tailStart) {
      lossTail += loss
      tailSteps++
    }
  }
  return { W: w, b, importance, finalLoss: tailSteps > 0 ? lossTail / tailSteps : NaN }
}

/**
 * Loss and gradients of the toy model on a batch x ([count × n]):
 * L = (1/count) Σ_s Σ_i I_i (x_i − ReLU(y_i))², y = Wᵀ·W·x + b. With g = ∂L/∂y,
 * ∂L/∂b = Σ_s g and ∂L/∂W = Σ_s (W·x)·gᵀ + (W·g)·xᵀ.
 */
export function toyModelLoss(
  w: Mat,
  b: ArrayLike<number>,
  x: ArrayLike<number>,
  count: number,
  importance: ArrayLike<number>,
): { loss: number; gradW: Float64Array; gradB: Float64Array } {
  const m = w.rows
  const n = w.cols
  const wd = w.data
  const gradW = new Float64Array(m * n)
  const gradB = new Float64Array(n)
  const h = new Float64Array(m)
  const g = new Float64Array(n)
  const wg = new Float64Array(m)
  const active: number[] = []
  let loss = 0
  for (let s = 0; s < count; s++) {
    const xo = s * n
    active.length = 0
    for (let i = 0; i < n; i++) if (x[xo + i] !== 0) active.push(i)
    // h = W·x over the features present (the data is sparse).
    h.fill(0)
    for (const i of active) for (let r = 0; r < m; r++) h[r] += wd[r * n + i] * x[xo + i]
    for (let i = 0; i < n; i++) {
      let y = b[i]
      for (let r = 0; r < m; r++) y += wd[r * n + i] * h[r]
      const diff = (y > 0 ? y : 0) - x[xo + i]
      loss += importance[i] * diff * diff
      g[i] = y > 0 ? (2 * importance[i] * diff) / count : 0
    }
    for (let r = 0; r < m; r++) {
      let acc = 0
      for (let i = 0; i < n; i++) acc += wd[r * n + i] * g[i]
      wg[r] = acc
    }
    for (let i = 0; i < n; i++) {
      if (g[i] === 0) continue
      gradB[i] += g[i]
      for (let r = 0; r < m; r++) gradW[r * n + i] += h[r] * g[i]
    }
    for (const i of active) for (let r = 0; r < m; r++) gradW[r * n + i] += wg[r] * x[xo + i]
  }
  return { loss: count > 0 ? loss / count : 0, gradW, gradB }
}

/** An Adam state for `size` parameters; each call applies one step in place. */
function adam(size: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8) {
  const mom = new Float64Array(size)
  const vel = new Float64Array(size)
  let t = 0
  return (param: Float64Array, grad: Float64Array, lr: number): void => {
    t++
    const c1 = 1 - beta1 ** t
    const c2 = 1 - beta2 ** t
    for (let e = 0; e < size; e++) {
      mom[e] = beta1 * mom[e] + (1 - beta1) * grad[e]
      vel[e] = beta2 * vel[e] + (1 - beta2) * grad[e] * grad[e]
      param[e] -= (lr * (mom[e] / c1)) / (Math.sqrt(vel[e] / c2) + eps)
    }
  }
}

export interface FeatureRecovery {
  /** For each feature i: max over basis rows r of |cos(R_r, W[:, i])| (0 for a zero column). */
  readonly perFeature: number[]
  /** ‖W[:, i]‖: ≈ 1 for a feature the model represents, ≈ 0 for one it drops. */
  readonly norms: number[]
  readonly meanMaxCos: number
  /** Features with max |cos| > 0.95. */
  readonly recovered: number
  /** Features the model represents at all, ‖W[:, i]‖ > 0.5 (a dropped one has norm ≈ 0). */
  readonly represented: number
}

export const RECOVERY_THRESHOLD = 0.95

/** How well the rows of a basis R [m × m] line up with the feature embeddings W [m × n]. */
export function featureRecovery(basis: Mat, w: Mat): FeatureRecovery {
  const m = w.rows
  const n = w.cols
  if (basis.cols !== m)
    throw new Error(`featureRecovery: basis is ${basis.rows}×${basis.cols}, W is ${m}×${n}`)
  const perFeature: number[] = []
  const norms: number[] = []
  for (let i = 0; i < n; i++) {
    let norm = 0
    for (let r = 0; r < m; r++) norm += w.data[r * n + i] ** 2
    norm = Math.sqrt(norm)
    norms.push(norm)
    let best = 0
    if (norm > 0) {
      for (let q = 0; q < basis.rows; q++) {
        let dot = 0
        let rn = 0
        for (let r = 0; r < m; r++) {
          dot += basis.data[q * m + r] * w.data[r * n + i]
          rn += basis.data[q * m + r] ** 2
        }
        if (rn > 0) best = Math.max(best, Math.abs(dot) / (norm * Math.sqrt(rn)))
      }
    }
    perFeature.push(Math.min(1, best))
  }
  const meanMaxCos = n === 0 ? 0 : perFeature.reduce((a, c) => a + c, 0) / n
  return {
    perFeature,
    norms,
    meanMaxCos,
    recovered: perFeature.filter((c) => c > RECOVERY_THRESHOLD).length,
    represented: norms.filter((v) => v > 0.5).length,
  }
}

/**
 * An orthonormal basis (rows) of R^m built from the feature embeddings: Gram–Schmidt
 * over the columns of W in order of decreasing norm (columns already spanned are
 * skipped), completed with standard basis vectors. When the columns are orthogonal,
 * each represented feature gets a row equal to its direction — the best basis there is.
 */
export function basisFromColumns(w: Mat, tolerance = 1e-8): Mat {
  const m = w.rows
  const n = w.cols
  const rows: Float64Array[] = []
  const candidates: Float64Array[] = []
  const byNorm = Array.from({ length: n }, (_, i) => {
    const c = Float64Array.from({ length: m }, (_, r) => w.data[r * n + i])
    return { c, norm: Math.hypot(...c) }
  }).sort((a, b) => b.norm - a.norm)
  for (const { c } of byNorm) candidates.push(c)
  for (let r = 0; r < m; r++) {
    const e = new Float64Array(m)
    e[r] = 1
    candidates.push(e)
  }
  for (const c of candidates) {
    if (rows.length === m) break
    const scaleRef = Math.hypot(...c)
    if (scaleRef === 0) continue
    const v = Float64Array.from(c, (x) => x / scaleRef)
    for (let pass = 0; pass < 2; pass++) {
      for (const q of rows) {
        let d = 0
        for (let r = 0; r < m; r++) d += q[r] * v[r]
        for (let r = 0; r < m; r++) v[r] -= d * q[r]
      }
    }
    const norm = Math.hypot(...v)
    if (norm < tolerance) continue
    rows.push(v.map((x) => x / norm))
  }
  const out = mat(m, m)
  rows.forEach((q, i) => out.data.set(q, i * m))
  return out
}

/** m / ‖W‖²_F: hidden dimensions per represented feature (Elhage et al.); < 1 means superposition. */
export function dimensionsPerFeature(w: Mat): number {
  let s = 0
  for (const v of w.data) s += v * v
  return s === 0 ? Infinity : w.rows / s
}
