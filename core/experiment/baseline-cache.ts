import { createHash } from 'node:crypto'
import { z } from 'zod'
import { heldOutMetricsSchema, libSummarySchema } from '../api/summary.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { RunContext } from './run-context.ts'
import type { RunData } from './run-data.ts'

/**
 * Baselines depend only on the model, the data and the inputs (DESIGN.md §2, cost model):
 * the held-out metrics of the neuron, random, PCA, JᵀJ and LIB bases are computed once and
 * reused by every run of the same model in a project. A cache maps a key naming everything
 * they depend on to what they came to; the project keeps it (a table of its file) and hands
 * it to each run.
 */
export interface RunCache {
  get(key: string): unknown
  set(key: string, value: unknown): void
}

/** Bump when what a baseline is or how its metrics are computed changes: old entries then miss. */
const CACHE_VERSION = 1

export const cachedBaselinesSchema = z.object({
  rows: z.array(
    z.object({ layer: z.number().int(), bases: z.record(z.string(), heldOutMetricsSchema) }),
  ),
  lib: libSummarySchema,
})
export type CachedBaselines = z.infer<typeof cachedBaselinesSchema>

/** What the baselines of a run are a function of, as one key. */
export function baselineCacheKey(
  run: RunContext,
  data: RunData,
  params: MlpParams,
  free: readonly number[],
  heldCount: number,
): string {
  const h = createHash('sha256')
  const { config } = run
  h.update(
    JSON.stringify({
      version: CACHE_VERSION,
      sizes: params.sizes,
      activation: params.activation,
      dataset: data.dataset.sha256,
      objective: data.split.train.slice(0, config.rotation.samples),
      heldOut: data.split.test.slice(0, heldCount),
      measure: config.rotation.measure,
      threshold: config.evaluation.nearZeroThreshold,
      // The random baseline's draw comes from the run's seed.
      seed: config.seed,
      free,
    }),
  )
  for (const l of params.layers) {
    h.update(new Uint8Array(l.weight.buffer, l.weight.byteOffset, l.weight.byteLength))
    h.update(new Uint8Array(l.bias.buffer, l.bias.byteOffset, l.bias.byteLength))
  }
  return `baselines:${h.digest('hex')}`
}

/** The cache entry for `key`, if there is one of the right shape (a bad entry is a miss). */
export function cachedBaselines(cache: RunCache | undefined, key: string): CachedBaselines | null {
  const parsed = cachedBaselinesSchema.safeParse(cache?.get(key))
  return parsed.success ? parsed.data : null
}
