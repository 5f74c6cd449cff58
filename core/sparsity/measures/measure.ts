/**
 * A sparsity measure S(J) summed over the entries of one Jacobian (DESIGN.md §1).
 * Every measure states its parameters explicitly; they are recorded with each run.
 *
 * Measures are pure, fused loops over float32 chunks: one pass computes every sample's
 * value and, when asked, ∂S/∂J. (The matmuls that produce J run in tfjs; elementwise
 * work is faster here than as a chain of tensor ops, each a full pass over memory.)
 */
export type MeasureSpec =
  | { readonly name: 'l1' }
  | { readonly name: 'lp'; readonly p: number; readonly eps: number }
  | { readonly name: 'log'; readonly eps: number }
  | { readonly name: 'hoyer' }
  | { readonly name: 'quartimax' }

export type MeasureName = MeasureSpec['name']

export const MEASURE_NAMES: readonly MeasureName[] = ['l1', 'lp', 'log', 'hoyer', 'quartimax']

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
}

/** S for a single Jacobian, for tests and small callers. */
export function measureValue(measure: Measure, j: ArrayLike<number>): number {
  const out = new Float64Array(1)
  measure.evaluate(Float32Array.from(j), 1, j.length, out, null)
  return out[0]
}

/**
 * Measures that are a sum of one scalar function over entries: S = Σ s(J_ij). `ds`
 * receives s(x) too, so a derivative that shares work with the value (lp) reuses it.
 */
export function elementwiseMeasure(
  spec: MeasureSpec,
  s: (x: number) => number,
  ds: (x: number, sx: number) => number,
): Measure {
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
  }
}
