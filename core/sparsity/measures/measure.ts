import type { MeasureSpec } from '../../api/run-config.ts'
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
export type { MeasureName, MeasureSpec } from '../../api/run-config.ts'
export { MEASURE_NAMES } from '../../api/run-config.ts'

export interface Measure {
  readonly spec: MeasureSpec
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

/** Measures that are a sum of one scalar function over entries: S = Σ s(J_ij). */
export function elementwiseMeasure(spec: MeasureSpec, f: Elementwise): Measure {
  const { value: s, derivative: ds } = f
  return {
    spec,
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
