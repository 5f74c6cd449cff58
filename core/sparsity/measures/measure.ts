import { MEASURE_MIX_DEFAULTS, type MeasureSpec } from '../../api/config/measure.ts'
import type { TensorOps } from '../../backend/tensor-ops.ts'

/**
 * A sparsity measure S(J) summed over the entries of one Jacobian (DESIGN.md §1).
 * Every measure states its parameters explicitly; they are recorded with each run.
 *
 * Each measure comes in two forms that tests hold equal: a fused loop over float32
 * chunks (`evaluate`, for the TensorFlow.js backends: one pass computes every sample's
 * value and ∂S/∂J, faster than a chain of tensor ops there) and a tensor expression
 * (`tensor`, compiled into the native kernels' graphs, where the runtime fuses nothing
 * but runs every op on all cores).
 */
export type { MeasureName, MeasureSpec } from '../../api/config/measure.ts'
export { MEASURE_NAMES } from '../../api/config/measure.ts'

export interface Measure {
  readonly spec: MeasureSpec
  /**
   * The weights of the layer objective's two terms (DESIGN.md §1): α on the per-input
   * term mean_x S(J(x)) that `evaluate`/`tensor` compute, β on the edge term
   * Σ_ij ψ(E_ij), E_ij = mean_x J_ij(x)² (core/rotation/edge-objective.ts).
   */
  readonly mix: MeasureMix
  /**
   * S as a function of the squares, S(J) = Σ ψ(J_ij²), for the measures that are one (l1,
   * lp, log): their edge form is Σ ψ(E_ij) = Σ φ(√E_ij), and where ψ is concave with a
   * finite slope at 0 (lp, log) IRLS majorizes them by weighted squares. null otherwise.
   */
  readonly square: SquareForm | null
  /**
   * For a chunk of `n` Jacobians of `size` entries each, stored back to back in `j`:
   * adds S(J_x) of sample x to perSample[x], and writes ∂S/∂J into `grad` when given.
   */
  evaluate(
    j: Float32Array,
    n: number,
    size: number,
    perSample: Float64Array,
    grad: Float32Array | null,
  ): void
  /** The same for `j` as a tensor [n × size]: S per sample [n], and ∂S/∂J [n × size]. */
  tensor<T>(ops: TensorOps<T>, j: T, grad: boolean): { perSample: T; grad: T | null }
}

export interface MeasureMix {
  readonly perInput: number
  readonly edge: number
}

/** The mix weights as a spec carries them: each absent one takes its default. */
export type MixWeights = { readonly perInput?: number; readonly edge?: number }

/** The mix a spec asks for, absent weights filled in (MEASURE_MIX_DEFAULTS). */
export function measureMix(spec: MeasureSpec): MeasureMix {
  const given = spec as { perInput?: number; edge?: number }
  return {
    perInput: given.perInput ?? MEASURE_MIX_DEFAULTS.perInput,
    edge: given.edge ?? MEASURE_MIX_DEFAULTS.edge,
  }
}

/**
 * ψ with S(J) = Σ ψ(J_ij²): ψ(u) and its slope ψ'(u) at u ≥ 0, in float64 (the edge term
 * applies it to E, one Jacobian-sized matrix per evaluation, on the host). `tensorSlope`
 * is ψ' as a tensor expression, where it is finite at 0: the weights of IRLS's majorizer
 * ψ(u) ≤ ψ(u₀) + ψ'(u₀)·(u − u₀) (ψ concave), evaluated inside the native kernels.
 */
export interface SquareForm {
  readonly value: (u: number) => number
  /** ψ'(u); where ψ' is infinite (l1's at u = 0) the subgradient 0, as l1 takes sign(0) = 0. */
  readonly slope: (u: number) => number
  readonly tensorSlope: (<T>(ops: TensorOps<T>, u: T) => T) | null
}

/** A measure's name with its parameters: equal keys, equal measures. */
export function measureKey(spec: MeasureSpec): string {
  return JSON.stringify(spec)
}

/** S for a single Jacobian, for tests and small callers. */
export function measureValue(measure: Measure, j: ArrayLike<number>): number {
  const out = new Float64Array(1)
  measure.evaluate(Float32Array.from(j), 1, j.length, out, null)
  return out[0]
}

/** s(x) and s'(x) of a measure that sums one scalar function over entries, in both forms. */
export interface Elementwise {
  readonly value: (x: number) => number
  /** Receives s(x) too, so a derivative that shares work with the value (lp) reuses it. */
  readonly derivative: (x: number, sx: number) => number
  readonly tensorValue: <T>(ops: TensorOps<T>, j: T) => T
  readonly tensorDerivative: <T>(ops: TensorOps<T>, j: T, sj: T) => T
}

/**
 * Measures that are a sum of one scalar function over entries: S = Σ s(J_ij), with its
 * square form when s(x) = ψ(x²).
 */
export function elementwiseMeasure(
  spec: MeasureSpec,
  f: Elementwise,
  square: SquareForm | null = null,
): Measure {
  const { value: s, derivative: ds } = f
  return {
    spec,
    mix: measureMix(spec),
    square,
    evaluate(j, n, size, perSample, grad) {
      for (let x = 0; x < n; x++) {
        let acc = 0
        const base = x * size
        if (grad) {
          for (let e = base; e < base + size; e++) {
            const v = j[e]
            const sv = s(v)
            acc += sv
            grad[e] = ds(v, sv)
          }
        } else {
          for (let e = base; e < base + size; e++) acc += s(j[e])
        }
        perSample[x] += acc
      }
    },
    tensor(ops, j, grad) {
      const sj = f.tensorValue(ops, j)
      return {
        perSample: ops.reduceSum(sj, [1]),
        grad: grad ? f.tensorDerivative(ops, j, sj) : null,
      }
    },
  }
}
