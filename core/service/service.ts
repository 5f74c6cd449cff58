import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type {
  EventMessage,
  EventName,
  EventPayload,
  ExportFileKind,
  Reply,
} from '../api/contract.ts'
import type { RunRecord } from '../api/records.ts'
import { readJsonFile } from '../data/read-file.ts'
import { BasiscopeError } from '../errors.ts'
import { type ConfigIssue, defaultConfig, parseRunConfig } from '../experiment/config.ts'
import { type Mat, mat } from '../linalg/matrix.ts'
import { agreementBaseline, basisAgreement } from '../analysis/basis-agreement.ts'
import { openProject } from '../store/project-store.ts'
import type { ProjectStore } from '../store/types.ts'
import { Workspace } from '../store/workspace.ts'
import { APP_VERSION } from '../version.ts'
import { type Handlers, NotFoundError, dispatch } from './dispatch.ts'
import { type JobOutcome, JobRunner, type WorkerFactory, nodeWorkerFactory } from './jobs/runner.ts'
import { runExportFiles } from './run-export.ts'
import { configDiff, configSummary, configTable, keyMetrics } from './run-views.ts'

export interface ServiceOptions {
  readonly workspaceDir: string
  readonly workerFactory?: WorkerFactory
  readonly concurrency?: number
  /** Keep the workspace's recent-projects list (the apps do; one-shot CLI commands do not). */
  readonly recordRecents?: boolean
  /** Directory of run-config presets (`*.json`); default: the app's resources/presets. */
  readonly presetsDir?: string
}

const DEFAULT_PRESETS_DIR = fileURLToPath(new URL('../../resources/presets', import.meta.url))

/** Presets in file-name order; each is a partial run config with a display `name`. */
function readPresets(dir: string): { id: string; name: string; config: unknown }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const config = readJsonFile(join(dir, f)) as { name?: unknown }
      const id = f.slice(0, -'.json'.length)
      return { id, name: typeof config.name === 'string' ? config.name : id, config }
    })
}

type Listener = (message: EventMessage) => void

/**
 * The backend: implements every command of the contract on top of the project store and
 * the job runner, and publishes events. Transports (IPC, WebSocket, CLI) only forward
 * raw messages to `handle` and events from `subscribe`.
 */
export class BasiscopeService {
  readonly workspace: Workspace
  private readonly runner: JobRunner
  private readonly stores = new Map<string, ProjectStore>()
  private readonly listeners = new Set<Listener>()
  private readonly jobsByRun = new Map<string, string>()
  readonly handlers: Handlers

  constructor(private readonly options: ServiceOptions) {
    mkdirSync(options.workspaceDir, { recursive: true })
    this.workspace = new Workspace(options.workspaceDir)
    this.runner = new JobRunner(
      options.workerFactory ?? nodeWorkerFactory(),
      options.concurrency ?? 1,
    )
    this.handlers = this.createHandlers()
  }

  handle(raw: unknown): Promise<Reply> {
    return dispatch(this.handlers, raw)
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async close(): Promise<void> {
    await this.runner.shutdown()
    for (const s of this.stores.values()) s.close()
    this.stores.clear()
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const message = { event, payload } as EventMessage
    for (const l of this.listeners) {
      try {
        l(message)
      } catch {
        // A broken listener must not stop the others or the job.
      }
    }
  }

  /** The open store of a project; opening it marks runs a crash left running as interrupted. */
  private store(path: string): ProjectStore {
    const key = resolve(path)
    const cached = this.stores.get(key)
    if (cached) return cached
    {
      const s = openProject(key)
      const busy = new Set(
        this.runner
          .list()
          .filter((j) => j.project === key && j.state !== 'finished')
          .map((j) => j.runId),
      )
      if (busy.size === 0) {
        for (const runId of s.markInterrupted()) {
          this.emit('run.status', { project: key, runId, status: 'interrupted', error: null })
        }
      }
      this.stores.set(key, s)
      return s
    }
  }

  private closeStore(path: string): void {
    const key = resolve(path)
    this.stores.get(key)?.close()
    this.stores.delete(key)
  }

  private assertIdle(path: string, action: string): void {
    const key = resolve(path)
    if (this.runner.list().some((j) => j.project === key && j.state !== 'finished')) {
      throw new BasiscopeError(
        'INVALID_ARGUMENT',
        `${key}: cannot ${action} while runs of this project are queued or running`,
        key,
      )
    }
  }

  private addRecent(path: string): void {
    if (this.options.recordRecents !== false) this.workspace.addRecent(path)
  }

  private getRun(project: string, runId: number): RunRecord {
    try {
      return this.store(project).getRun(runId)
    } catch (e) {
      if (e instanceof BasiscopeError) throw e
      throw new NotFoundError(`${project}: no run ${runId}`)
    }
  }

  private startRun(
    project: string,
    rawConfig: unknown,
    name: string | undefined,
  ): { run: RunRecord; jobId: string } {
    const key = resolve(project)
    const store = this.store(key)
    const config = parseRunConfig(rawConfig)
    const run = store.createRun({
      name: name ?? config.name ?? `run ${store.listRuns().length + 1}`,
      config,
      seed: config.seed,
      configSummary: configSummary(config),
    })
    const jobId = randomUUID()
    this.jobsByRun.set(`${key}#${run.id}`, jobId)
    const persist = (what: string, f: () => void): void => {
      try {
        f()
      } catch (e) {
        this.emit('log.line', {
          jobId,
          runId: run.id,
          level: 'error',
          message: `could not record ${what}: ${(e as Error).message}`,
          time: new Date().toISOString(),
        })
      }
    }
    const status = (s: RunRecord['status'], error: string | null = null): void =>
      this.emit('run.status', { project: key, runId: run.id, status: s, error })
    // Every client (another window, the web page) learns of the new run, not only the caller.
    status('queued')
    this.runner.enqueue({
      jobId,
      project: key,
      runId: run.id,
      config,
      baseDir: this.options.workspaceDir,
      onStart: () => {
        persist('the start', () =>
          store.updateRun(run.id, { status: 'running', startedAt: new Date().toISOString() }),
        )
        status('running')
      },
      onMessage: (m) => {
        switch (m.type) {
          case 'progress':
            this.emit('job.progress', {
              jobId,
              project: key,
              runId: run.id,
              ...m.event,
              values: m.event.values ? { ...m.event.values } : undefined,
            })
            break
          case 'metrics':
            persist('metrics', () => store.appendMetrics(run.id, m.points))
            break
          case 'artifact':
            persist(`artifact ${m.artifact.name}`, () =>
              store.addArtifact(run.id, m.artifact.kind, m.artifact.name, m.artifact.meta, {
                dtype: 'float32',
                shape: [...m.artifact.shape],
                data: m.artifact.data,
              }),
            )
            break
          case 'log':
            this.emit('log.line', {
              jobId,
              runId: run.id,
              level: m.level,
              message: m.message,
              time: new Date().toISOString(),
            })
            break
        }
      },
      onEnd: (outcome: JobOutcome) => {
        this.jobsByRun.delete(`${key}#${run.id}`)
        const finishedAt = new Date().toISOString()
        if (outcome.kind === 'completed') {
          const s = outcome.summary
          persist('the result', () =>
            store.updateRun(run.id, {
              status: 'completed',
              finishedAt,
              summary: s,
              keyMetrics: keyMetrics(s),
              backend: s.backend,
              tfjsVersion: s.tfjsVersion,
              datasetSha256: s.data.sha256,
            }),
          )
          status('completed')
        } else if (outcome.kind === 'cancelled') {
          persist('the cancel', () => store.updateRun(run.id, { status: 'cancelled', finishedAt }))
          status('cancelled')
        } else {
          persist('the failure', () =>
            store.updateRun(run.id, { status: 'failed', finishedAt, error: outcome.message }),
          )
          status('failed', outcome.message)
        }
      },
    })
    return { run: store.getRun(run.id), jobId }
  }

  private exportRun(project: string, runId: number, directory: string): string[] {
    const run = this.getRun(project, runId)
    const dir = resolve(directory)
    mkdirSync(dir, { recursive: true })
    return runExportFiles(this.store(project), run).map((e) => {
      const file = join(dir, e.filename)
      e.write(file)
      return file
    })
  }

  /** Pairwise agreement of the runs' rotations, per hidden space all of them rotated. */
  private compareBases(project: string, runIds: readonly number[]) {
    const store = this.store(project)
    const bySpace = new Map<number, Map<number, Mat>>()
    for (const runId of runIds) {
      for (const a of store.listArtifacts(runId)) {
        if (a.kind !== 'rotation' || !a.shape || a.shape[0] !== a.shape[1]) continue
        const space = Number((a.meta as { space?: number }).space)
        const t = store.readArtifactTensor(a.id)
        if (!t || !Number.isInteger(space)) continue
        if (!bySpace.has(space)) bySpace.set(space, new Map())
        bySpace.get(space)!.set(runId, mat(t.shape[0], t.shape[1], t.data))
      }
    }
    const out = []
    for (const [space, rotations] of [...bySpace].sort((x, y) => x[0] - y[0])) {
      const size = rotations.get(runIds[0])?.rows
      if (!size || runIds.some((id) => rotations.get(id)?.rows !== size)) continue
      const pairs = []
      for (let i = 0; i < runIds.length; i++) {
        for (let j = i + 1; j < runIds.length; j++) {
          const agreement = basisAgreement(rotations.get(runIds[i])!, rotations.get(runIds[j])!, {
            k: 0,
          })
          pairs.push({
            a: runIds[i],
            b: runIds[j],
            meanAbsCos: agreement.meanAbsCos,
            permutationDistance: agreement.permutationDistance,
          })
        }
      }
      out.push({ space, size, chance: agreementBaseline(size, { seed: space }).mean, pairs })
    }
    return out
  }

  /** One export file as bytes: written by exportRun into a scratch directory, then read. */
  /** One export file as bytes: only that file is written, to a scratch directory, and read. */
  private exportFile(project: string, runId: number, kind: ExportFileKind) {
    const run = this.getRun(project, runId)
    const entry = runExportFiles(this.store(project), run).find((e) => e.kind === kind)
    if (!entry) {
      throw new NotFoundError(`run ${runId} has no ${kind} to export (it may not have finished)`)
    }
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-export-'))
    try {
      const file = join(dir, entry.filename)
      entry.write(file)
      return {
        filename: `run-${runId}-${entry.filename}`,
        mimeType: entry.filename.endsWith('.json')
          ? 'application/json'
          : 'application/octet-stream',
        base64: readFileSync(file).toString('base64'),
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  private createHandlers(): Handlers {
    return {
      'app.info': () => ({
        version: APP_VERSION,
        workspace: this.options.workspaceDir,
        concurrency: this.options.concurrency ?? 1,
      }),
      'config.defaults': () => defaultConfig(),
      'config.presets': () => readPresets(this.options.presetsDir ?? DEFAULT_PRESETS_DIR),
      'config.validate': ({ config }) => {
        try {
          return { ok: true, config: parseRunConfig(config), issues: [] }
        } catch (e) {
          if (e instanceof BasiscopeError && e.code === 'INVALID_CONFIG') {
            return { ok: false, config: null, issues: (e.details as ConfigIssue[]) ?? [] }
          }
          throw e
        }
      },
      'projects.list': () => this.workspace.list(),
      'projects.recent': () => this.workspace.recent(),
      'projects.create': ({ name }) => {
        const path = this.workspace.create(name)
        this.addRecent(path)
        return this.store(path).info()
      },
      'projects.open': ({ path }) => {
        const info = this.store(path).info()
        this.addRecent(info.path)
        return info
      },
      'projects.rename': ({ path, name }) => {
        this.assertIdle(path, 'rename the project')
        this.closeStore(path)
        const next = this.workspace.rename(path, name)
        return this.store(typeof next === 'string' ? next : path).info()
      },
      'projects.duplicate': ({ path, name }) => {
        const copy = this.workspace.duplicate(path, name)
        return this.store(copy).info()
      },
      'projects.delete': ({ path, toTrash }) => {
        this.assertIdle(path, 'delete the project')
        this.closeStore(path)
        this.workspace.delete(path, { toTrash })
        return null
      },
      'projects.import': ({ source }) => this.store(this.workspace.importProject(source)).info(),
      'projects.export': async ({ path, destination }) => {
        await this.store(path).exportTo(resolve(destination))
        return { destination: resolve(destination) }
      },
      'runs.list': ({ project }) => this.store(project).listRuns(),
      'runs.get': ({ project, runId }) => ({
        run: this.getRun(project, runId),
        summary: this.store(project).runSummary(runId),
      }),
      'runs.start': ({ project, config, name }) => this.startRun(project, config, name),
      'runs.delete': ({ project, runId }) => {
        const run = this.getRun(project, runId)
        if (run.status === 'running' || run.status === 'queued') {
          throw new BasiscopeError(
            'INVALID_ARGUMENT',
            `run ${runId} is ${run.status}; cancel it first`,
          )
        }
        this.store(project).deleteRun(runId)
        return null
      },
      'runs.update': ({ project, runId, name, notes, tags }) => {
        this.getRun(project, runId)
        const store = this.store(project)
        if (tags) store.setTags(runId, tags)
        if (name !== undefined || notes !== undefined) store.updateRun(runId, { name, notes })
        return store.getRun(runId)
      },
      'runs.metrics': ({ project, runId, keys, maxPoints }) => {
        this.getRun(project, runId)
        const store = this.store(project)
        const wanted = keys ?? store.metricKeys(runId)
        return Object.fromEntries(wanted.map((k) => [k, store.metricSeries(runId, k, maxPoints)]))
      },
      'runs.compare': ({ project, runIds }) => {
        const runs = runIds.map((id) => this.getRun(project, id))
        const keys = [...new Set(runs.flatMap((r) => Object.keys(r.keyMetrics)))].sort()
        return {
          runs,
          configDiff: configDiff(runs.map((r) => r.config)),
          configTable: configTable(runs.map((r) => r.config)),
          metrics: keys.map((key) => ({ key, values: runs.map((r) => r.keyMetrics[key] ?? null) })),
          bases: this.compareBases(project, runIds),
        }
      },
      'runs.export': ({ project, runId, directory }) => ({
        files: this.exportRun(project, runId, directory),
      }),
      'runs.exportFile': ({ project, runId, kind }) => this.exportFile(project, runId, kind),
      'artifacts.list': ({ project, runId }) => {
        this.getRun(project, runId)
        return this.store(project).listArtifacts(runId)
      },
      'artifacts.get': ({ project, artifactId }) => {
        const store = this.store(project)
        let info
        try {
          info = store.artifactMeta(artifactId)
        } catch {
          throw new NotFoundError(`${project}: no artifact ${artifactId}`)
        }
        const t = store.readArtifactTensor(artifactId)
        return {
          info,
          tensor: t ? { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data) } : null,
        }
      },
      'jobs.list': () => this.runner.list(),
      'jobs.cancel': ({ jobId }) => {
        if (!this.runner.cancel(jobId)) throw new NotFoundError(`no queued or running job ${jobId}`)
        return null
      },
    }
  }
}
