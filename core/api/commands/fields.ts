import { z } from 'zod'

/** The params and payloads several command domains share. */

/** Longest path a param may hold (Linux's PATH_MAX). */
export const PATH_MAX = 4096

/** A path string: not empty, not longer than PATH_MAX, no NUL byte (no file system takes one). */
const pathText = () =>
  z
    .string()
    .min(1)
    .max(PATH_MAX)
    .refine((p) => !p.includes('\0'), 'a path cannot hold a NUL character')

/** A file path: absolute, or relative to the workspace folder. */
export const path = pathText()
/**
 * A project: its stable id (`ProjectInfo.id`, survives renames) or the path of its file
 * (absolute, or relative to the workspace folder — one rule for every command).
 */
export const projectRefSchema = pathText()
export const project = projectRefSchema
export const runId = z.number().int().positive()
export const runRef = z.strictObject({ project, runId })
export const name = z.string().min(1).max(200)
export const notes = z.string().max(100_000)

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
