import { z } from 'zod'

/**
 * The records the backend hands to its clients (UI, CLI, web). Schemas first, types
 * inferred from them: one definition for validation and for TypeScript.
 */
export const runStatusSchema = z.enum([
  'queued',
  'running',
  'completed',
  'cancelled',
  'failed',
  'interrupted',
])
export type RunStatus = z.infer<typeof runStatusSchema>

export const projectInfoSchema = z.object({
  /** Absolute path of the .basiscope file. */
  path: z.string(),
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** Latest run creation/finish or project change, ISO time. */
  lastActivity: z.string(),
  runCount: z.number().int(),
  schemaVersion: z.number().int(),
  /** Free text about the project (`projects.setNotes`); '' when none. */
  notes: z.string(),
  /** When the notes last changed, ISO time; null when never. */
  notesUpdatedAt: z.string().nullable(),
})
export type ProjectInfo = z.infer<typeof projectInfoSchema>

/** A short, table-friendly view of a run's config and results. */
export const runRecordSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  status: runStatusSchema,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The full validated run config. */
  config: z.unknown(),
  backend: z.string().nullable(),
  appVersion: z.string(),
  tfjsVersion: z.string().nullable(),
  seed: z.number().int(),
  datasetSha256: z.string().nullable(),
  error: z.string().nullable(),
  tags: z.array(z.string()),
  /** Free text about the run (`runs.setNotes`); '' when none. */
  notes: z.string(),
  /** When the notes last changed, ISO time; null when never. */
  notesUpdatedAt: z.string().nullable(),
  /** Key config fields for tables: scheme, measure, optimizer, layers. */
  configSummary: z.record(z.string(), z.unknown()),
  /** Key results: testAccuracy, per-layer held-out nearZero before/after, maxAbsLogitDiff. */
  keyMetrics: z.record(z.string(), z.number()),
  /** Runs of one experiment over several model seeds share a group (config.seeds); else null. */
  group: z.string().nullable(),
  /**
   * Set when the run's row in the project file is damaged (a column that is not valid JSON,
   * or not of its type): which columns, for the user. The other fields are what could be
   * read; the rest of the project is unaffected.
   */
  damaged: z.string().optional(),
})
export type RunRecord = z.infer<typeof runRecordSchema>

export const metricPointSchema = z.object({
  step: z.number(),
  wallTime: z.number(),
  value: z.number(),
})
export type MetricPoint = z.infer<typeof metricPointSchema>

export const dtypeSchema = z.enum(['float32', 'float64', 'int32', 'uint8'])
export type Dtype = z.infer<typeof dtypeSchema>

export const artifactInfoSchema = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  /** e.g. 'rotation', 'mean-abs-jacobian', 'sample-jacobian', 'baseline', 'analysis', 'model-weight'. */
  kind: z.string(),
  name: z.string(),
  dtype: dtypeSchema.nullable(),
  shape: z.array(z.number().int()).nullable(),
  /** Free-form JSON metadata (layer, basis, …) or a whole JSON result for analyses. */
  meta: z.unknown(),
  bytes: z.number().int(),
})
export type ArtifactInfo = z.infer<typeof artifactInfoSchema>
