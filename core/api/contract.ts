import { z } from 'zod'
import {
  artifactInfoSchema,
  metricPointSchema,
  projectInfoSchema,
  runRecordSchema,
  runStatusSchema,
} from './records.ts'
import { heldOutMetricsSchema } from './summary.ts'

/**
 * The one contract between clients (renderer, CLI, web page) and the backend
 * (DESIGN.md §3). Commands are named `domain.verb`; each has a params schema (validated
 * on every incoming message) and a result schema. Electron IPC and the web mode's
 * WebSocket carry exactly these, with the same envelopes.
 */
/** A file path: absolute, or relative to the workspace folder. */
const path = z.string().min(1)
/**
 * A project: its stable id (`ProjectInfo.id`, survives renames) or the path of its file
 * (absolute, or relative to the workspace folder — one rule for every command).
 */
export const projectRefSchema = z.string().min(1)
const project = projectRefSchema
const runId = z.number().int().positive()
const runRef = z.strictObject({ project, runId })
const name = z.string().min(1).max(200)
const notes = z.string().max(100_000)

export const projectListItemSchema = projectInfoSchema.partial().extend({
  path: z.string(),
  /** Set when the file could not be read; the other fields are then missing. */
  error: z.string().optional(),
})

/** A project in the workspace's trash (`projects.trash`); `path` is its file in the trash. */
export const trashedProjectSchema = projectListItemSchema.extend({
  /** When it was deleted, ISO time. */
  trashedAt: z.string(),
})

export const jobInfoSchema = z.object({
  jobId: z.string(),
  /** The project file's path, and its stable id. */
  project: z.string(),
  projectId: z.string(),
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

/**
 * Float32 values packed for speed: the base64 of their little-endian bytes (a third of the
 * JSON numbers' size, decoded without parsing). For tensors sent on every click (an input's
 * Jacobians); artifacts travel as `tensorPayloadSchema`.
 */
export const packedFloat32Schema = z.object({
  dtype: z.literal('float32'),
  shape: z.array(z.number().int()),
  base64: z.string(),
})
export type PackedFloat32 = z.infer<typeof packedFloat32Schema>

export const exportFileKindSchema = z.enum([
  'rotations',
  'rotated-weights',
  'model',
  'mean-abs-jacobians',
  'run-json',
])
export type ExportFileKind = z.infer<typeof exportFileKindSchema>

/**
 * How tensors are written: one safetensors file per kind, or one NumPy `.npy` (v1.0,
 * little-endian float32, C order) per tensor. `run-json` is always JSON.
 */
export const exportFormatSchema = z.enum(['safetensors', 'npy'])
export type ExportFormat = z.infer<typeof exportFormatSchema>

const agreementSchema = z.object({
  /** Mean |cos| of optimally matched directions (up to sign and order), in [0, 1]. */
  meanAbsCos: z.number(),
  /** √(1 − meanAbsCos): 0 when one basis is a signed permutation of the other. */
  permutationDistance: z.number(),
})

/**
 * `runs.compare`: the runs side by side. Runs without learned bases (failed, cancelled,
 * still running) are listed in `withoutResults`; every other run is compared in full.
 */
export const runComparisonSchema = z.object({
  runs: z.array(runRecordSchema),
  /** Config fields whose values differ, as dotted paths with one value per run. */
  configDiff: z.array(z.object({ path: z.string(), values: z.array(z.unknown()) })),
  /** Every config field as a dotted path, one value per run, and whether they differ. */
  configTable: z.array(
    z.object({ path: z.string(), values: z.array(z.unknown()), differs: z.boolean() }),
  ),
  metrics: z.array(z.object({ key: z.string(), values: z.array(z.number().nullable()) })),
  /**
   * How similar the learned bases are, per hidden space and width: each run that has a basis
   * there with its agreement with the identity (the neuron basis — the reference column: a
   * run that never left it scores 1), every pair of those runs, and the mean |cos| of two
   * random rotations of that size for reference. Oblique runs are compared by their unit
   * basis directions (the columns of T⁻¹).
   */
  bases: z.array(
    z.object({
      space: z.number().int(),
      size: z.number().int(),
      chance: z.number(),
      runs: z.array(
        z.object({
          runId: z.number().int(),
          transform: z.enum(['rotation', 'oblique']),
          identity: agreementSchema,
        }),
      ),
      pairs: z.array(agreementSchema.extend({ a: z.number().int(), b: z.number().int() })),
    }),
  ),
  /** Runs that have no learned bases to compare, with why. */
  withoutResults: z.array(
    z.object({ runId: z.number().int(), status: runStatusSchema, reason: z.string() }),
  ),
})

/** A held-out input of a run: its position in the run's held-out list (0 …). */
const heldOutPosition = z.number().int().min(0)

/** One of a run's held-out inputs (the first `heldOutSamples` of its split's test list). */
export const heldOutInputSchema = z.object({
  input: z.number().int(),
  label: z.number().int(),
  /** The model's class for it (argmax of its logits). */
  prediction: z.number().int(),
})
export type HeldOutInput = z.infer<typeof heldOutInputSchema>

/** Most held-out inputs one `inputs.list` page lists. */
export const HELD_OUT_PAGE_MAX = 500
/** Most inputs one `inputs.mostChanged` answer lists. */
export const MOST_CHANGED_MAX = 200

/** The per-input metrics "most changed" ranks inputs by (their gain from neuron to learned basis). */
export const rankingMetricSchema = z.enum(['nearZero', 'hoyerSparsity'])
export type RankingMetric = z.infer<typeof rankingMetricSchema>
/** Most changed first as the most raised (`gained`: sparser in the learned basis) or most lowered. */
export const rankingOrderSchema = z.enum(['gained', 'lost'])
export type RankingOrder = z.infer<typeof rankingOrderSchema>

/** One layer's J(x) of one input in one set of bases, with this input's metrics. */
const basisJacobianSchema = z.object({
  /** J(x) as [rows, cols] float32 (signed). */
  jacobian: packedFloat32Schema,
  /** max |J_ij|: the explorer shows |J|/max, and nearZero counts |J| < threshold·max. */
  maxAbs: z.number(),
  /** nearZero, hoyerSparsity, the run's measure S(J(x)) and the mean effective fan-in. */
  metrics: heldOutMetricsSchema,
})

/** `inputs.jacobians`: one held-out input and each layer's J(x) in both bases. */
export const inputJacobiansSchema = z.object({
  runId: z.number().int(),
  input: z.number().int(),
  /** Its index in the dataset (the split's test list at `input`). */
  datasetIndex: z.number().int(),
  label: z.number().int(),
  prediction: z.number().int(),
  logits: z.array(z.number()),
  /** Its pixels, [height, width] in [0, 1]. */
  image: tensorPayloadSchema,
  /** How the learned bases act: rotations R (J = R·D·W·Rᵀ) or oblique T (J = T·D·W·T⁻¹). */
  transform: z.enum(['rotation', 'oblique']),
  /** The run's evaluation.nearZeroThreshold (relative to max |J(x)|). */
  nearZeroThreshold: z.number(),
  /** The run's optimized measure (the `measure` metric), by name. */
  measure: z.string(),
  layers: z.array(
    z.object({
      layer: z.number().int(),
      shape: z.tuple([z.number().int(), z.number().int()]),
      /** In the neuron basis (every T = I): diag(σ'(z))·W. */
      neuron: basisJacobianSchema,
      /** In the run's learned bases (spaces it did not learn stay in the neuron basis). */
      learned: basisJacobianSchema,
    }),
  ),
})
export type InputJacobians = z.infer<typeof inputJacobiansSchema>

/** `inputs.list`: a page of a run's held-out inputs, for the explorer's digit grid. */
export const heldOutInputsSchema = z.object({
  /** Held-out inputs of the run, and how many have the label asked for (all: total). */
  total: z.number().int(),
  matching: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  classes: z.number().int(),
  /** How many held-out inputs have each label, [classes]. */
  classCounts: z.array(z.number().int()),
  inputs: z.array(heldOutInputSchema),
  /** Their pixels, [inputs, height·width] as 'uint8' 0–255. */
  pixels: tensorPayloadSchema,
})
export type HeldOutInputs = z.infer<typeof heldOutInputsSchema>

/** `inputs.mostChanged`: held-out inputs by how much the learned basis changes a metric at a layer. */
export const mostChangedSchema = z.object({
  layer: z.number().int(),
  metric: rankingMetricSchema,
  order: rankingOrderSchema,
  total: z.number().int(),
  /** Mean over every held-out input of learned − neuron. */
  meanGain: z.number(),
  /** Inputs the learned basis made sparser (gain > 0), and less sparse (gain < 0). */
  gained: z.number().int(),
  lost: z.number().int(),
  inputs: z.array(
    heldOutInputSchema.extend({ neuron: z.number(), learned: z.number(), gain: z.number() }),
  ),
  /** Their pixels, [inputs, height·width] as 'uint8' 0–255. */
  pixels: tensorPayloadSchema,
  width: z.number().int(),
  height: z.number().int(),
})
export type MostChanged = z.infer<typeof mostChangedSchema>

export const commands = {
  'app.info': {
    params: z.strictObject({}),
    result: z.object({
      version: z.string(),
      workspace: z.string(),
      /** Where exports go when no destination is given (outside the workspace). */
      exportDir: z.string(),
      concurrency: z.number().int(),
    }),
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
  'projects.create': { params: z.strictObject({ name }), result: projectInfoSchema },
  'projects.open': { params: z.strictObject({ path: project }), result: projectInfoSchema },
  'projects.rename': { params: z.strictObject({ path: project, name }), result: projectInfoSchema },
  /** A copy with a new id; unnamed it is "<name> (copy)", "<name> (copy 2)", … */
  'projects.duplicate': {
    params: z.strictObject({ path: project, name: name.optional() }),
    result: projectInfoSchema,
  },
  /** To the trash (default), or for good; a project in the trash can only go for good. */
  'projects.delete': {
    params: z.strictObject({ path: project, toTrash: z.boolean().default(true) }),
    result: z.null(),
  },
  'projects.trash': { params: z.strictObject({}), result: z.array(trashedProjectSchema) },
  /** Back from the trash (`path` as listed by `projects.trash`) into the workspace. */
  'projects.restore': { params: z.strictObject({ path }), result: projectInfoSchema },
  /** A copy into the workspace; a name or id already there becomes "<name> (2)" / a new id. */
  'projects.import': { params: z.strictObject({ source: path }), result: projectInfoSchema },
  /**
   * A consistent copy to `destination` (outside the workspace folder), by default
   * `<exportDir>/<name>.basiscope` under a name not taken yet.
   */
  'projects.export': {
    params: z.strictObject({ path: project, destination: path.optional() }),
    result: z.object({ destination: z.string() }),
  },
  'projects.setNotes': {
    params: z.strictObject({ path: project, notes }),
    result: projectInfoSchema,
  },
  'runs.list': { params: z.strictObject({ project }), result: z.array(runRecordSchema) },
  'runs.get': {
    params: runRef,
    result: z.object({ run: runRecordSchema, summary: z.unknown().nullable() }),
  },
  /**
   * Starts a run — or, for a config with `seeds` > 1, one run per seed, recorded as one
   * group: `run`/`jobId` are the first, `runs` all of them in seed order.
   */
  'runs.start': {
    params: z.strictObject({ project, config: z.unknown(), name: z.string().max(200).optional() }),
    result: z.object({
      run: runRecordSchema,
      jobId: z.string(),
      runs: z.array(z.object({ run: runRecordSchema, jobId: z.string() })),
      group: z.string().nullable(),
    }),
  },
  'runs.delete': { params: runRef, result: z.null() },
  'runs.update': {
    params: runRef.extend({
      name: name.optional(),
      notes: notes.optional(),
      tags: z.array(z.string().min(1).max(64)).max(64).optional(),
    }),
    result: runRecordSchema,
  },
  'runs.setNotes': { params: runRef.extend({ notes }), result: runRecordSchema },
  'runs.metrics': {
    params: runRef.extend({
      keys: z.array(z.string()).optional(),
      maxPoints: z.number().int().min(2).max(100_000).default(1000),
    }),
    result: z.record(z.string(), z.array(metricPointSchema)),
  },
  'runs.compare': {
    params: z.strictObject({ project, runIds: z.array(runId).min(2).max(4) }),
    result: runComparisonSchema,
  },
  /** Writes a run's export files into `directory`; `npy` writes `<kind>.<tensor>.npy` files. */
  'runs.export': {
    params: runRef.extend({ directory: path, format: exportFormatSchema.default('safetensors') }),
    result: z.object({ files: z.array(z.string()) }),
  },
  /** The files a run can be exported as, with the tensors each holds (for `.npy`). */
  'runs.exportList': {
    params: runRef,
    result: z.array(
      z.object({
        kind: exportFileKindSchema,
        filename: z.string(),
        tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
      }),
    ),
  },
  /**
   * One export file of a run as bytes, for clients that save files themselves (the web
   * page downloads it): rotations, rotated weights or the model as safetensors, or the
   * run record and summary as JSON; with `format: 'npy'`, the one tensor `tensor` (which
   * may be left out when the file holds a single tensor) as a NumPy `.npy` file.
   */
  'runs.exportFile': {
    params: runRef.extend({
      kind: exportFileKindSchema,
      format: exportFormatSchema.default('safetensors'),
      tensor: z.string().min(1).max(200).optional(),
    }),
    result: z.object({ filename: z.string(), mimeType: z.string(), base64: z.string() }),
  },
  /**
   * One held-out input of a run with learned bases (NOT_FOUND otherwise): its pixels, label
   * and prediction, and every layer's J(x) in the neuron and the learned basis with this
   * input's metrics. Computed in the explore worker, kept in memory per (run, input).
   */
  'inputs.jacobians': {
    params: runRef.extend({ input: heldOutPosition }),
    result: inputJacobiansSchema,
  },
  /** A page of a run's held-out inputs (all, or those with one label), with their pixels. */
  'inputs.list': {
    params: runRef.extend({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(HELD_OUT_PAGE_MAX).default(100),
      label: z.number().int().min(0).max(255).optional(),
    }),
    result: heldOutInputsSchema,
  },
  /**
   * The held-out inputs whose metric at a hidden layer the learned basis raised most
   * (`gained`) or lowered most (`lost`), from one pass over every held-out input in the
   * explore worker (progress: `inputs.progress`), kept in memory per (run, layer).
   */
  'inputs.mostChanged': {
    params: runRef.extend({
      layer: z.number().int().min(1),
      metric: rankingMetricSchema.default('nearZero'),
      order: rankingOrderSchema.default('gained'),
      limit: z.number().int().min(1).max(MOST_CHANGED_MAX).default(24),
    }),
    result: mostChangedSchema,
  },
  /** Stops an `inputs.mostChanged` pass still running (its callers get CANCELLED); false if none. */
  'inputs.cancelRanking': {
    params: runRef.extend({ layer: z.number().int().min(1) }),
    result: z.boolean(),
  },
  'artifacts.list': { params: runRef, result: z.array(artifactInfoSchema) },
  'artifacts.get': {
    params: z.strictObject({ project, artifactId: z.number().int().positive() }),
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
  INTERNAL: 'a bug or an unexpected failure; the message says where',
  DISCONNECTED: 'the client lost its connection to the backend (set by transports only)',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** Error codes a reply can carry. */
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
