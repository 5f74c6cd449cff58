import type { ErrorCode } from '../../errors.ts'
import type { MetricRecord, RunArtifact } from '../../experiment/pipeline.ts'
import type { ProgressEvent } from '../../experiment/progress.ts'
import type { RunSummary } from '../../api/summary.ts'
import type { ExploreFromWorker, ExploreToWorker } from './explore-protocol.ts'

/**
 * Messages between the job runner and a worker process. The same protocol runs over
 * Node's child-process IPC and Electron's utilityProcess port (structured clone, so
 * typed arrays travel as they are). A worker either runs one job (`start`) or serves the input
 * explorer's tasks (`task`, see explore-protocol.ts) for as long as it lives.
 */
export type ToWorker =
  { type: 'start'; config: unknown; baseDir: string } | { type: 'cancel' } | ExploreToWorker

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'metrics'; points: MetricRecord[] }
  | { type: 'artifact'; artifact: RunArtifact }
  | { type: 'done'; summary: RunSummary }
  | { type: 'failed'; error: { code: ErrorCode; message: string } }
  | { type: 'cancelled' }
  | ExploreFromWorker
