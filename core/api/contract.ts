import { z } from 'zod'
import { ERROR_CODES, type ErrorCode } from '../errors.ts'
import {
  artifactInfoSchema,
  metricPointSchema,
  projectInfoSchema,
  runRecordSchema,
  runStatusSchema,
} from './records.ts'

/**
 * The one contract between clients (renderer, CLI, web page) and the backend
 * (DESIGN.md §3). Commands are named `domain.verb`; each has a params schema (validated
 * on every incoming message) and a result schema. Electron IPC and the web mode's
 * WebSocket carry exactly these, with the same envelopes.
 */
const path = z.string().min(1)
const runRef = z.strictObject({ project: path, runId: z.number().int().positive() })

export const projectListItemSchema = projectInfoSchema.partial().extend({
  path: z.string(),
  /** Set when the file could not be read; the other fields are then missing. */
  error: z.string().optional(),
})

export const jobInfoSchema = z.object({
  jobId: z.string(),
  project: z.string(),
  runId: z.number().int(),
  state: z.enum(['queued', 'running', 'finished']),
  queuedAt: z.string(),
})
export type JobInfo = z.infer<typeof jobInfoSchema>

export const tensorPayloadSchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int()),
  /** Values as plain numbers (JSON-safe); large tensors are fetched one at a time. */
  data: z.array(z.number()),
})

export const exportFileKindSchema = z.enum([
  'rotations',
  'rotated-weights',
  'model',
  'mean-abs-jacobians',
  'run-json',
])
export type ExportFileKind = z.infer<typeof exportFileKindSchema>

export const commands = {
  'app.info': {
    params: z.strictObject({}),
    result: z.object({ version: z.string(), workspace: z.string(), concurrency: z.number().int() }),
  },
  'config.defaults': { params: z.strictObject({}), result: z.unknown() },
  /** The run-config presets shipped in resources/presets, as partial configs. */
  'config.presets': {
    params: z.strictObject({}),
    result: z.array(z.object({ id: z.string(), name: z.string(), config: z.unknown() })),
  },
  'config.validate': {
    params: z.strictObject({ config: z.unknown() }),
    result: z.object({
      ok: z.boolean(),
      config: z.unknown().nullable(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  },
  'projects.list': { params: z.strictObject({}), result: z.array(projectListItemSchema) },
  'projects.recent': {
    params: z.strictObject({}),
    result: z.array(
      z.object({ path: z.string(), name: z.string(), openedAt: z.string(), exists: z.boolean() }),
    ),
  },
  'projects.create': {
    params: z.strictObject({ name: z.string().min(1).max(200) }),
    result: projectInfoSchema,
  },
  'projects.open': { params: z.strictObject({ path }), result: projectInfoSchema },
  'projects.rename': {
    params: z.strictObject({ path, name: z.string().min(1).max(200) }),
    result: projectInfoSchema,
  },
  'projects.duplicate': {
    params: z.strictObject({ path, name: z.string().min(1).max(200).optional() }),
    result: projectInfoSchema,
  },
  'projects.delete': {
    params: z.strictObject({ path, toTrash: z.boolean().default(true) }),
    result: z.null(),
  },
  'projects.import': { params: z.strictObject({ source: path }), result: projectInfoSchema },
  'projects.export': {
    params: z.strictObject({ path, destination: path }),
    result: z.object({ destination: z.string() }),
  },
  'runs.list': { params: z.strictObject({ project: path }), result: z.array(runRecordSchema) },
  'runs.get': {
    params: runRef,
    result: z.object({ run: runRecordSchema, summary: z.unknown().nullable() }),
  },
  'runs.start': {
    params: z.strictObject({
      project: path,
      config: z.unknown(),
      name: z.string().max(200).optional(),
    }),
    result: z.object({ run: runRecordSchema, jobId: z.string() }),
  },
  'runs.delete': { params: runRef, result: z.null() },
  'runs.update': {
    params: runRef.extend({
      name: z.string().min(1).max(200).optional(),
      notes: z.string().max(100_000).optional(),
      tags: z.array(z.string().min(1).max(64)).max(64).optional(),
    }),
    result: runRecordSchema,
  },
  'runs.metrics': {
    params: runRef.extend({
      keys: z.array(z.string()).optional(),
      maxPoints: z.number().int().min(2).max(100_000).default(1000),
    }),
    result: z.record(z.string(), z.array(metricPointSchema)),
  },
  'runs.compare': {
    params: z.strictObject({
      project: path,
      runIds: z.array(z.number().int().positive()).min(2).max(4),
    }),
    result: z.object({
      runs: z.array(runRecordSchema),
      /** Config fields whose values differ, as dotted paths with one value per run. */
      configDiff: z.array(z.object({ path: z.string(), values: z.array(z.unknown()) })),
      /** Every config field as a dotted path, one value per run, and whether they differ. */
      configTable: z.array(
        z.object({ path: z.string(), values: z.array(z.unknown()), differs: z.boolean() }),
      ),
      metrics: z.array(z.object({ key: z.string(), values: z.array(z.number().nullable()) })),
      /**
       * How similar the learned bases are, per hidden space that every run rotated at the
       * same width: for each pair of runs, the mean |cos| of optimally matched directions
       * (up to sign and order), the permutation distance, and the mean |cos| of two random
       * rotations of that size for reference.
       */
      bases: z.array(
        z.object({
          space: z.number().int(),
          size: z.number().int(),
          chance: z.number(),
          pairs: z.array(
            z.object({
              a: z.number().int(),
              b: z.number().int(),
              meanAbsCos: z.number(),
              permutationDistance: z.number(),
            }),
          ),
        }),
      ),
    }),
  },
  'runs.export': {
    params: runRef.extend({ directory: path }),
    result: z.object({ files: z.array(z.string()) }),
  },
  /**
   * One export file of a run as bytes, for clients that save files themselves (the web
   * page downloads it): rotations, rotated weights or the model as safetensors, or the
   * run record and summary as JSON.
   */
  'runs.exportFile': {
    params: runRef.extend({ kind: exportFileKindSchema }),
    result: z.object({ filename: z.string(), mimeType: z.string(), base64: z.string() }),
  },
  'artifacts.list': { params: runRef, result: z.array(artifactInfoSchema) },
  'artifacts.get': {
    params: z.strictObject({ project: path, artifactId: z.number().int().positive() }),
    result: z.object({ info: artifactInfoSchema, tensor: tensorPayloadSchema.nullable() }),
  },
  'jobs.list': { params: z.strictObject({}), result: z.array(jobInfoSchema) },
  'jobs.cancel': { params: z.strictObject({ jobId: z.string().min(1) }), result: z.null() },
} as const

export type CommandName = keyof typeof commands
export type CommandParams<C extends CommandName> = z.input<(typeof commands)[C]['params']>
export type CommandResult<C extends CommandName> = z.infer<(typeof commands)[C]['result']>

export const events = {
  'job.progress': z.object({
    jobId: z.string(),
    project: z.string(),
    runId: z.number().int(),
    phase: z.string(),
    message: z.string(),
    fraction: z.number(),
    etaSeconds: z.number().nullable(),
    values: z.record(z.string(), z.number()).optional(),
  }),
  'run.status': z.object({
    project: z.string(),
    runId: z.number().int(),
    status: runStatusSchema,
    error: z.string().nullable(),
  }),
  'log.line': z.object({
    jobId: z.string(),
    runId: z.number().int(),
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
    time: z.string(),
  }),
} as const

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>

/** Error codes a reply can carry (the table is core/errors.ts's ERROR_CODES). */
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]])

export const requestSchema = z.strictObject({
  id: z.union([z.string(), z.number()]),
  command: z.string(),
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
