import { z } from 'zod'
import { appCommands } from './commands/app.ts'
import { artifactCommands } from './commands/artifacts.ts'
import { inputCommands } from './commands/inputs.ts'
import { jobCommands } from './commands/jobs.ts'
import { projectCommands } from './commands/projects.ts'
import { runCommands } from './commands/runs.ts'
import type { ErrorCode } from './error-codes.ts'
import { runStatusSchema } from './records.ts'

/**
 * The one contract between clients (renderer, CLI, web page) and the backend
 * (DESIGN.md §3). Commands are named `domain.verb`; each has a params schema (validated
 * on every incoming message) and a result schema. Electron IPC and the web mode's
 * WebSocket carry exactly these, with the same envelopes. The commands are declared by
 * domain in ./commands/ (as core/service/domains implements them); the error codes in
 * ./error-codes.ts.
 */
export const commands = {
  ...appCommands,
  ...projectCommands,
  ...runCommands,
  ...inputCommands,
  ...artifactCommands,
  ...jobCommands,
} as const

export type CommandName = keyof typeof commands
export type CommandParams<C extends CommandName> = z.input<(typeof commands)[C]['params']>
export type CommandResult<C extends CommandName> = z.infer<(typeof commands)[C]['result']>

export const events = {
  'job.progress': z.object({
    jobId: z.string(),
    project: z.string(),
    projectId: z.string(),
    runId: z.number().int(),
    phase: z.string(),
    message: z.string(),
    fraction: z.number(),
    etaSeconds: z.number().nullable(),
    values: z.record(z.string(), z.number()).optional(),
  }),
  'run.status': z.object({
    project: z.string(),
    projectId: z.string(),
    runId: z.number().int(),
    status: runStatusSchema,
    error: z.string().nullable(),
  }),
  /** An `inputs.mostChanged` pass over the held-out inputs: how far it is. */
  'inputs.progress': z.object({
    project: z.string(),
    projectId: z.string(),
    runId: z.number().int(),
    layer: z.number().int(),
    fraction: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  'log.line': z.object({
    jobId: z.string(),
    project: z.string(),
    projectId: z.string(),
    runId: z.number().int(),
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
    time: z.string(),
  }),
} as const

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>

/** A request id: what the client matches the reply by; short, and a safe integer if a number. */
export const requestIdSchema = z.union([z.string().max(256), z.number().int()], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? 'expected a string (≤ 256 characters) or an integer'
      : undefined,
})

/**
 * The id a reply to a raw message carries: the message's id when it is a valid one (a huge
 * or fractional id is not sent back), else null. Every transport's refusals use it.
 */
export function replyIdOf(raw: unknown): string | number | null {
  const id = requestIdSchema.safeParse((raw as { id?: unknown } | null)?.id)
  return id.success ? id.data : null
}

export const requestSchema = z.strictObject({
  id: requestIdSchema,
  command: z.string().max(100),
  params: z.unknown().optional(),
})
export type Request = z.infer<typeof requestSchema>

export type Reply<T = unknown> =
  | { id: string | number | null; ok: true; value: T }
  | {
      id: string | number | null
      ok: false
      error: { code: ErrorCode; message: string; details?: unknown }
    }

/** An event on the wire; a union over event names, so `event` narrows `payload`. */
export type EventMessage = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName]
