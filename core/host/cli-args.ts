import { BasiscopeError } from '../errors.ts'

/** Exit codes: 0 done, 1 failed while running, 2 bad usage/config/input, 130 cancelled. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const

export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  readonly isTTY: boolean
}

/** A command line that is not what the command takes (exit code 2). */
export class UsageError extends BasiscopeError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
  }
}

/** A numeric flag's value, or undefined when the flag is absent. */
export function parseNumberFlag(
  flag: string,
  value: string | undefined,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${flag}: expected ${integer ? 'an integer' : 'a number'}, got "${value}"`,
    )
  }
  return n
}
