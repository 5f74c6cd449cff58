import { z } from 'zod'
import { BasiscopeError, type ErrorCode } from '../../errors.ts'
import type { MetricRecord, RunArtifact } from '../../experiment/pipeline.ts'
import type { ProgressEvent } from '../../experiment/progress.ts'
import type { RunSummary } from '../../api/summary.ts'
import type { CacheEntry } from '../../store/types.ts'
import type { ExploreFromWorker, ExploreToWorker } from './explore-protocol.ts'

/**
 * Messages between the job runner and a worker process. The same protocol runs over
 * Node's child-process IPC and Electron's utilityProcess port (structured clone, so
 * typed arrays travel as they are). A worker either runs one job (`start`) or serves the input
 * explorer's tasks (`task`, see explore-protocol.ts) for as long as it lives.
 */
export type ToWorker =
  | {
      type: 'start'
      config: unknown
      baseDir: string
      /** The project's cache (results earlier runs left, e.g. a model's baselines). */
      cache: readonly CacheEntry[]
    }
  | { type: 'cancel' }
  | ExploreToWorker

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'metrics'; points: MetricRecord[] }
  | { type: 'artifact'; artifact: RunArtifact }
  /** A result the run leaves in the project's cache for later runs. */
  | { type: 'cache'; entry: CacheEntry }
  | { type: 'done'; summary: RunSummary }
  | { type: 'failed'; error: { code: ErrorCode; message: string } }
  | { type: 'cancelled' }
  | ExploreFromWorker

/** Cache entries as they cross the process boundary (either way): keys and JSON values. */
const cacheEntriesSchema = z.array(z.object({ key: z.string().min(1).max(256), value: z.json() }))

/** Cache entries from the other side of the boundary, checked; `where` names them in errors. */
export function checkedCacheEntries(value: unknown, where: string): CacheEntry[] {
  const parsed = cacheEntriesSchema.safeParse(value)
  if (parsed.success) return parsed.data
  throw new BasiscopeError(
    'INVALID_ARGUMENT',
    `${where} is invalid:\n${z.prettifyError(parsed.error)}`,
    where,
  )
}
