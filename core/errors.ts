/**
 * Errors that reach users. Every one names what was wrong (a field path or a file)
 * and what was expected, so CLI, API and UI can show it as is (DESIGN.md §5). The codes
 * are the contract's table (ERROR_CODES in core/api/error-codes.ts).
 */
import type { ErrorCode } from './api/error-codes.ts'

export type { ErrorCode }

export class BasiscopeError extends Error {
  readonly code: ErrorCode
  /** The field path (`rotation.measure.p`) or file path the error is about. */
  readonly where: string | undefined
  readonly details: unknown

  constructor(code: ErrorCode, message: string, where?: string, details?: unknown) {
    super(message)
    this.name = 'BasiscopeError'
    this.code = code
    this.where = where
    this.details = details
  }
}

/** A file that is not what it should be: names the file and the problem. */
export function fileError(file: string, problem: string, details?: unknown): BasiscopeError {
  return new BasiscopeError('INVALID_FILE', `${file}: ${problem}`, file, details)
}

/** Raised by long work when its cancel signal fires. */
export class CancelledError extends BasiscopeError {
  constructor(message = 'cancelled') {
    super('CANCELLED', message)
    this.name = 'CancelledError'
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError()
}
