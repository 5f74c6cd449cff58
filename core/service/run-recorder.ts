import { randomUUID } from 'node:crypto'
import type { RunRecord, RunStatus } from '../api/records.ts'
import type { RunConfig } from '../api/run-config.ts'
import type { EventHub } from './events.ts'
import type { JobOutcome, JobRunner } from './jobs/runner.ts'
import { type FromWorker, checkedCacheEntries } from './jobs/protocol.ts'
import type { CacheEntry } from '../store/types.ts'
import type { OpenProject } from './project-registry.ts'
import { configSummary, keyMetrics } from '../api/run-views.ts'

/**
 * Records a run's job in its project as it goes: the run row when it is queued, its start,
 * the metrics and artifacts the worker streams, and how it ended. Every change is saved
 * before it is announced: `completed` is announced only once the result is in the file; a
 * result that cannot be saved ends the run `failed`, with that error.
 */
export class RunRecorder {
  constructor(
    private readonly runner: JobRunner,
    private readonly events: EventHub,
    /** Relative files in run configs (model, split, IDX) are found from here. */
    private readonly baseDir: string,
  ) {}

  /** Whether runs of the project at `path` are queued or running. */
  isBusy(path: string): boolean {
    return this.runner.list().some((j) => j.project === path && j.state !== 'finished')
  }

  /** Creates the run (queued) and hands its job to the runner. */
  start(
    project: OpenProject,
    config: RunConfig,
    name: string | undefined,
    group: string | null = null,
  ): JobStart {
    const { store } = project
    const run = store.createRun({
      name: name ?? config.name ?? `run ${store.listRuns().length + 1}`,
      config,
      seed: config.seed,
      configSummary: configSummary(config),
      group,
    })
    const job = new RecordedJob(project, run.id, this.events)
    // Every client (another window, the web page) learns of the new run, not only the caller.
    job.announce('queued')
    this.runner.enqueue({
      jobId: job.jobId,
      project: project.path,
      projectId: project.id,
      runId: run.id,
      config,
      baseDir: this.baseDir,
      cache: () => job.cache(),
      onStart: () => job.started(),
      onMessage: (m) => job.message(m),
      onEnd: (outcome) => job.ended(outcome),
    })
    return { run: store.getRun(run.id), jobId: job.jobId }
  }
}

export interface JobStart {
  readonly run: RunRecord
  readonly jobId: string
}

/** One run's job as the recorder sees it. */
class RecordedJob {
  readonly jobId = randomUUID()

  constructor(
    private readonly project: OpenProject,
    private readonly runId: number,
    private readonly events: EventHub,
  ) {}

  announce(status: RunStatus, error: string | null = null): void {
    const { path, id } = this.project
    this.events.emit('run.status', {
      project: path,
      projectId: id,
      runId: this.runId,
      status,
      error,
    })
  }

  /** Saves with `save`; a failure is reported as a log line and returned as its message. */
  private persist(what: string, save: () => void): string | null {
    try {
      save()
      return null
    } catch (e) {
      return this.logError(`could not record ${what}: ${(e as Error).message}`)
    }
  }

  private logError(message: string): string {
    this.events.emit('log.line', {
      jobId: this.jobId,
      project: this.project.path,
      projectId: this.project.id,
      runId: this.runId,
      level: 'error',
      message,
      time: new Date().toISOString(),
    })
    return message
  }

  /**
   * The project's cache for the run's worker. The cache only saves time: one that cannot be
   * read is reported and the run computes everything itself.
   */
  cache(): readonly CacheEntry[] {
    try {
      return this.project.store.cacheEntries()
    } catch (e) {
      this.logError(`could not read the project's cache: ${(e as Error).message}`)
      return []
    }
  }

  started(): void {
    const store = this.project.store
    this.persist('the start', () =>
      store.updateRun(this.runId, { status: 'running', startedAt: new Date().toISOString() }),
    )
    this.announce('running')
  }

  message(m: FromWorker): void {
    const store = this.project.store
    switch (m.type) {
      case 'progress':
        this.events.emit('job.progress', {
          jobId: this.jobId,
          project: this.project.path,
          projectId: this.project.id,
          runId: this.runId,
          ...m.event,
          values: m.event.values ? { ...m.event.values } : undefined,
        })
        return
      case 'metrics':
        this.persist('metrics', () => store.appendMetrics(this.runId, m.points))
        return
      case 'artifact':
        this.persist(`artifact ${m.artifact.name}`, () =>
          store.addArtifact(this.runId, m.artifact.kind, m.artifact.name, m.artifact.meta, {
            dtype: 'float32',
            shape: [...m.artifact.shape],
            data: m.artifact.data,
          }),
        )
        return
      case 'cache':
        // From another process: checked before it is written.
        this.persist('a cache entry', () => {
          const [entry] = checkedCacheEntries([m.entry], "the worker's cache entry")
          store.writeCacheEntry(entry, this.runId)
        })
        return
    }
  }

  ended(outcome: JobOutcome): void {
    const store = this.project.store
    const finishedAt = new Date().toISOString()
    if (outcome.kind === 'completed') {
      const s = outcome.summary
      const unsaved = this.persist('the result', () =>
        store.updateRun(this.runId, {
          status: 'completed',
          finishedAt,
          summary: s,
          keyMetrics: keyMetrics(s),
          backend: s.backend,
          tfjsVersion: s.tfjsVersion,
          datasetSha256: s.data.sha256,
        }),
      )
      if (unsaved === null) return this.announce('completed')
      return this.fail(`the run finished, but ${unsaved}`, finishedAt)
    }
    if (outcome.kind === 'cancelled') {
      this.persist('the cancel', () =>
        store.updateRun(this.runId, { status: 'cancelled', finishedAt }),
      )
      return this.announce('cancelled')
    }
    this.fail(outcome.message, finishedAt)
  }

  private fail(error: string, finishedAt: string): void {
    this.persist('the failure', () =>
      this.project.store.updateRun(this.runId, { status: 'failed', finishedAt, error }),
    )
    this.announce('failed', error)
  }
}
