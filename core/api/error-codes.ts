import { z } from 'zod'

/**
 * Every error code a reply envelope, a worker or a client transport can carry, with what it
 * means: the one table. `errorCodeSchema`, `ErrorCode` (core/errors.ts uses it) and every `code` field derive from it.
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
  RUN_FAILED:
    'a run could not finish: its computation went wrong (e.g. values overflowed float32); the message says what',
  INTERNAL: 'a bug or an unexpected failure; the message says where',
  DISCONNECTED: 'the client lost its connection to the backend (set by transports only)',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** Error codes a reply can carry. */
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]])
