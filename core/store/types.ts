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

/** A named tensor, as in a saved model's weights. */
export interface NamedTensor {
  readonly name: string
  readonly tensor: StoredTensor
}

/** A saved model without its weights. */
export interface ModelInfo {
  readonly id: number
  /** The run that produced it; null for imported models or after that run was deleted. */
  readonly runId: number | null
  readonly name: string
  readonly createdAt: string
  /** Layer sizes, input first. */
  readonly sizes: number[]
  readonly activation: string
  readonly meta: unknown
  /** The weights' names, dtypes and shapes, in the order they were saved. */
  readonly tensors: { name: string; dtype: Dtype; shape: number[] }[]
}

/** A saved model with its weights. */
export interface StoredModel {
  readonly info: ModelInfo
  readonly tensors: NamedTensor[]
}

export interface NewRun {
  readonly name: string
  readonly config: unknown
  readonly seed: number
  readonly configSummary: Record<string, unknown>
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
  readonly notes?: string
}

/** One open project file. All writes are transactions; the file stays valid after a crash. */
export interface ProjectStore {
  readonly path: string
  info(): ProjectInfo
  rename(name: string): void

  createRun(run: NewRun): RunRecord
  updateRun(id: number, update: RunUpdate): RunRecord
  getRun(id: number): RunRecord
  listRuns(): RunRecord[]
  deleteRun(id: number): void
  setTags(id: number, tags: readonly string[]): void
  runSummary(id: number): unknown | null
  /** Runs left 'running' or 'queued' by a crash become 'interrupted'; returns their ids. */
  markInterrupted(): number[]

  appendMetrics(
    runId: number,
    points: readonly { key: string; step: number; wallTime: number; value: number }[],
  ): void
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

  // Saved models. Optional so other ProjectStore implementations (fakes in tests) need not
  // have them; the SQLite store (SqliteProjectStore) always does.
  /** Saves a model's weights in one transaction; returns its id. */
  saveModel?(
    runId: number | null,
    name: string,
    sizes: readonly number[],
    activation: string,
    tensors: readonly NamedTensor[],
    meta?: unknown,
  ): number
  /** All saved models, oldest first, without weights. */
  listModels?(): ModelInfo[]
  loadModel?(id: number): StoredModel

  /** A consistent snapshot to another file (SQLite online backup), safe during a run. */
  exportTo(file: string): Promise<void>
  /** The problems PRAGMA integrity_check finds; empty when the file is sound. */
  integrityCheck(): string[]
  close(): void
}
