import type {
  ArtifactInfo,
  Dtype,
  MetricPoint,
  ProjectInfo,
  RunRecord,
  RunStatus,
} from '../api/records.ts'

/** A tensor as stored: raw little-endian bytes with dtype and shape. */
export interface StoredTensor {
  readonly dtype: Dtype
  readonly shape: readonly number[]
  readonly data: Float32Array | Float64Array | Int32Array | Uint8Array
}

export interface NewRun {
  readonly name: string
  readonly config: unknown
  readonly seed: number
  readonly configSummary: Record<string, unknown>
  /** The seed group the run belongs to (one experiment over several seeds), if any. */
  readonly group?: string | null
}

export interface RunUpdate {
  readonly status?: RunStatus
  readonly startedAt?: string
  readonly finishedAt?: string
  readonly backend?: string
  readonly tfjsVersion?: string
  readonly datasetSha256?: string
  readonly error?: string | null
  readonly keyMetrics?: Record<string, number>
  readonly summary?: unknown
  readonly name?: string
  /** Also stamps the run's `notesUpdatedAt`. */
  readonly notes?: string
}

/** One point of a metric series as a run reports it. */
export interface MetricInput {
  readonly key: string
  readonly step: number
  readonly wallTime: number
  readonly value: number
}

/** A result one run left for later runs of the project (a JSON value under its key). */
export interface CacheEntry {
  readonly key: string
  readonly value: unknown
}

/** One open project file. All writes are transactions; the file stays valid after a crash. */
export interface ProjectStore {
  readonly path: string
  info(): ProjectInfo
  rename(name: string): void
  /** Replaces the project's notes (and stamps `notesUpdatedAt`). */
  setNotes(notes: string): void

  /** A queued run owned by this process (which holds it until an update ends it). */
  createRun(run: NewRun): RunRecord
  updateRun(id: number, update: RunUpdate): RunRecord
  getRun(id: number): RunRecord
  listRuns(): RunRecord[]
  deleteRun(id: number): void
  setTags(id: number, tags: readonly string[]): void
  runSummary(id: number): unknown | null
  /**
   * Runs left 'running' or 'queued' whose owner is gone (a crash; run-owner.ts) become
   * 'interrupted'; returns their ids. Live runs of other processes are left alone.
   */
  markInterrupted(): number[]

  appendMetrics(runId: number, points: readonly MetricInput[]): void
  metricKeys(runId: number): string[]
  /** A series, downsampled to at most maxPoints (min/max-preserving buckets), in step order. */
  metricSeries(runId: number, key: string, maxPoints?: number): MetricPoint[]

  addArtifact(
    runId: number,
    kind: string,
    name: string,
    meta: unknown,
    tensor: StoredTensor | null,
  ): ArtifactInfo
  listArtifacts(runId: number): ArtifactInfo[]
  /** Reads the tensor lazily, only when asked. */
  readArtifactTensor(artifactId: number): StoredTensor | null
  artifactMeta(artifactId: number): ArtifactInfo

  /** Adds or replaces a cache entry (JSON, see CACHE_VALUE_MAX_BYTES), noting the run that wrote it. */
  writeCacheEntry(entry: CacheEntry, runId: number | null): void
  /**
   * The cache entries under `keys`, or without keys the newest ones up to CACHE_READ_MAX_BYTES
   * of JSON (cache-table.ts); an entry that does not read back is left out (a miss).
   */
  cacheEntries(keys?: readonly string[]): CacheEntry[]

  /** A consistent snapshot to another file (VACUUM INTO on a worker thread), safe during a run. */
  exportTo(file: string): Promise<void>
  /** The problems PRAGMA integrity_check finds; empty when the file is sound. */
  integrityCheck(): string[]
  close(): void
}
