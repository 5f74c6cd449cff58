import { z } from 'zod'
import { metricPointSchema, runRecordSchema, runStatusSchema } from '../records.ts'
import { name, notes, path, project, runId, runRef } from './fields.ts'
import { transformSchema } from '../config/sections.ts'
import { runSummarySchema } from '../summary.ts'

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
          transform: transformSchema,
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

/** `runs.*`: starting runs, their records, series, comparison and export. */
export const runCommands = {
  'runs.list': { params: z.strictObject({ project }), result: z.array(runRecordSchema) },
  'runs.get': {
    params: runRef,
    // The stored summary as the run wrote it (null before it finished); older runs lack the
    // fields added since, which the summary schema marks optional.
    result: z.object({ run: runRecordSchema, summary: runSummarySchema.nullable() }),
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
  /**
   * Writes a run's export files into `directory` (made when missing); `npy` writes
   * `<kind>.<tensor>.npy` files. Files of those names already there are replaced only with
   * `overwrite` (a folder dialog that asked the user may pass it).
   */
  'runs.export': {
    params: runRef.extend({
      directory: path,
      format: exportFormatSchema.default('safetensors'),
      overwrite: z.boolean().default(false),
    }),
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
} as const
