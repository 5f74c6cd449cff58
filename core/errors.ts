/**
 * Errors that reach users. Every one names what was wrong (a field path or a file)
 * and what was expected, so CLI, API and UI can show it as is (DESIGN.md §5).
 */

/**
 * Every error code a reply envelope, a worker or a client transport can carry, with what it
 * means: the one table. The contract's `errorCodeSchema` and every `code` field derive from it.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 'the message is not a valid request: the envelope or a param, named by field',
  UNKNOWN_COMMAND: 'no command of that name in the contract',
  INVALID_CONFIG: 'the run config is not valid: every problem named by field path',
  INVALID_FILE: 'a file is not what it should be: named, with the problem',
  INVALID_ARGUMENT: 'a value is not acceptable now (e.g. a busy project, a bad name)',
  NOT_FOUND: 'no project, run, artifact or job of that id',
  UNAUTHORIZED: 'web mode: the request lacks the current access token or comes from another origin',
  CANCELLED: 'the work was cancelled',
  INTERNAL: 'a bug or an unexpected failure; the message says where',
  DISCONNECTED: 'the client lost its connection to the backend (set by transports only)',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

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
