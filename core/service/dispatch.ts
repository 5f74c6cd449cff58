import type { z } from 'zod'
import {
  type CommandName,
  type CommandResult,
  type Reply,
  commands,
  replyIdOf,
  requestSchema,
} from '../api/contract.ts'
import { BasiscopeError } from '../errors.ts'

/** One handler per command: the whole backend surface in one map. */
export type Handlers = {
  [C in CommandName]: (
    params: z.infer<(typeof commands)[C]['params']>,
  ) => Promise<CommandResult<C>> | CommandResult<C>
}

/** The issues of a failed parse, each named by its field path (`root` for the whole value). */
function issuesText(error: z.ZodError, root: string): { message: string; details: unknown } {
  const issues = error.issues.map((i) => ({
    path: i.path.map(String).join('.') || root,
    message: i.message,
  }))
  return { message: issues.map((i) => `${i.path}: ${i.message}`).join('; '), details: issues }
}

/**
 * Validates one incoming message (any transport), runs its handler and wraps the outcome
 * in the reply envelope. Never throws: every failure becomes `{ok: false, error}`.
 */
export async function dispatch(handlers: Handlers, raw: unknown): Promise<Reply> {
  const request = requestSchema.safeParse(raw)
  if (!request.success) {
    const id = replyIdOf(raw)
    const { message, details } = issuesText(request.error, '(request)')
    return {
      id,
      ok: false,
      error: { code: 'BAD_REQUEST', message: `malformed request: ${message}`, details },
    }
  }
  const { id, command, params } = request.data
  if (!Object.hasOwn(commands, command)) {
    return {
      id,
      ok: false,
      error: { code: 'UNKNOWN_COMMAND', message: `unknown command "${command}"` },
    }
  }
  const name = command as CommandName
  const parsed = commands[name].params.safeParse(params ?? {})
  if (!parsed.success) {
    const { message, details } = issuesText(parsed.error, '(params)')
    return {
      id,
      ok: false,
      error: { code: 'BAD_REQUEST', message: `${name}: ${message}`, details },
    }
  }
  try {
    const handler = handlers[name] as (p: unknown) => unknown
    const value = await handler(parsed.data)
    return { id, ok: true, value }
  } catch (e) {
    if (e instanceof BasiscopeError) {
      return { id, ok: false, error: { code: e.code, message: e.message, details: e.details } }
    }
    return { id, ok: false, error: { code: 'INTERNAL', message: (e as Error).message } }
  }
}
