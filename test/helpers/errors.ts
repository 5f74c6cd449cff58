import type { BasiscopeError } from '../../core/errors.ts'

/** Runs `fn` and returns the error it threw (fails the test if it does not throw). */
export function thrown(fn: () => unknown): BasiscopeError {
  try {
    fn()
  } catch (e) {
    return e as BasiscopeError
  }
  throw new Error('expected a throw')
}
