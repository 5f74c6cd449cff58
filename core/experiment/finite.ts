import { BasiscopeError } from '../errors.ts'

/**
 * Issue 13, D12: a run whose numbers stop being finite fails, naming what overflowed, instead
 * of finishing with NaN in its summary. Weights that are finite one by one (3e38 fits float32)
 * can still overflow in a product; the pipeline checks each result it reports.
 */
export class NonFiniteError extends BasiscopeError {
  constructor(message: string) {
    super('RUN_FAILED', message)
    this.name = 'NonFiniteError'
  }
}

/** The first index of a non-finite value, or -1. */
function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i
  return -1
}

/**
 * Throws NonFiniteError when any of `values` is NaN or ±Infinity. `what` names the result
 * ("the model's logits on the test inputs"), `at(i)` says where value i is.
 */
export function requireFinite(
  what: string,
  values: ArrayLike<number>,
  at: (i: number) => string = (i) => `value ${i}`,
): void {
  const i = firstNonFinite(values)
  if (i < 0) return
  throw new NonFiniteError(
    `${what} is not finite (${at(i)} is ${values[i]}): the values overflowed float32 — ` +
      'the model’s weights or inputs are too large for this computation',
  )
}
