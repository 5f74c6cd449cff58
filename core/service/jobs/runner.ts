import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { JobInfo } from '../../api/commands/jobs.ts'
import type { RunSummary } from '../../api/summary.ts'
import type { CacheEntry } from '../../store/types.ts'
import type { FromWorker, ToWorker } from './protocol.ts'

/** A worker process as the runner sees it; Node's fork and Electron's utilityProcess both fit. */
export interface WorkerHandle {
  send(message: ToWorker): void
  onMessage(handler: (message: FromWorker) => void): void
  onExit(handler: (code: number | null, signal: string | null, stderrTail: string) => void): void
  kill(): void
}

export type WorkerFactory = () => WorkerHandle

/** Node host: each job in its own `node` process running core/host/worker-entry.ts via tsx. */
export function nodeWorkerFactory(): WorkerFactory {
  const entry = fileURLToPath(new URL('../../host/worker-entry.ts', import.meta.url))
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
  return () => {
    const child = fork(entry, [], {
      execArgv: ['--import', tsx],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000)
    })
    return {
      send: (m) => {
        if (child.connected) child.send(m)
      },
      onMessage: (h) => child.on('message', (m) => h(m as FromWorker)),
      onExit: (h) => child.on('exit', (code, signal) => h(code, signal, stderr)),
      kill: () => child.kill('SIGKILL'),
    }
  }
}

export type JobOutcome =
  | { kind: 'completed'; summary: RunSummary }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string }

export interface JobSpec {
  readonly jobId: string
  /** The project file and its stable id. */
  readonly project: string
  readonly projectId: string
  readonly runId: number
  readonly config: unknown
  readonly baseDir: string
  /**
   * The project's cache, read when the worker is ready to start, so that a run queued
   * behind another finds what that one left.
   */
  cache(): readonly CacheEntry[]
  /** Every message from the worker, in order (progress, metrics, artifacts, the end). */
  onMessage(message: FromWorker): void
  onStart(): void
  /** Called exactly once per job. */
  onEnd(outcome: JobOutcome): void
}

/** How long a cancelled worker gets to stop by itself before it is killed. */
export const CANCEL_GRACE_MS = 800

interface Entry {
  readonly spec: JobSpec
  readonly queuedAt: string
  state: 'queued' | 'running' | 'finished'
  worker?: WorkerHandle
  cancelRequested: boolean
}

/**
 * A queue of jobs with a concurrency limit. Each job runs in its own worker process;
 * a crash or kill of that process ends its job as failed and nothing else.
 */
export class JobRunner {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly factory: WorkerFactory,
    private concurrency = 1,
  ) {}

  setConcurrency(n: number): void {
    this.concurrency = Math.max(1, n)
    this.pump()
  }

  enqueue(spec: JobSpec): void {
    this.entries.set(spec.jobId, {
      spec,
      queuedAt: new Date().toISOString(),
      state: 'queued',
      cancelRequested: false,
    })
    this.pump()
  }

  list(): JobInfo[] {
    return [...this.entries.values()].map((e) => ({
      jobId: e.spec.jobId,
      project: e.spec.project,
      projectId: e.spec.projectId,
      runId: e.spec.runId,
      state: e.state,
      queuedAt: e.queuedAt,
    }))
  }

  /** Cancels a queued or running job; false if there is no such unfinished job. */
  cancel(jobId: string): boolean {
    const e = this.entries.get(jobId)
    if (!e || e.state === 'finished') return false
    e.cancelRequested = true
    if (e.state === 'queued') {
      this.finish(e, { kind: 'cancelled' })
      return true
    }
    e.worker?.send({ type: 'cancel' })
    const worker = e.worker
    setTimeout(() => {
      if (e.state !== 'finished') worker?.kill()
    }, CANCEL_GRACE_MS).unref()
    return true
  }

  /** Cancels everything (app shutdown) and waits until all workers are gone. */
  async shutdown(): Promise<void> {
    const pending = [...this.entries.values()].filter((e) => e.state !== 'finished')
    for (const e of pending) this.cancel(e.spec.jobId)
    const deadline = Date.now() + CANCEL_GRACE_MS * 3
    while (
      [...this.entries.values()].some((e) => e.state !== 'finished') &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  private running(): number {
    return [...this.entries.values()].filter((e) => e.state === 'running').length
  }

  private pump(): void {
    for (const e of this.entries.values()) {
      if (this.running() >= this.concurrency) return
      if (e.state === 'queued') this.start(e)
    }
  }

  private start(e: Entry): void {
    e.state = 'running'
    let terminal: JobOutcome | null = null
    let worker: WorkerHandle
    try {
      worker = this.factory()
    } catch (err) {
      this.finish(e, {
        kind: 'failed',
        message: `could not start a worker process: ${(err as Error).message}`,
      })
      return
    }
    e.worker = worker
    e.spec.onStart()
    worker.onMessage((m) => {
      if (e.state === 'finished') return
      switch (m.type) {
        case 'ready':
          worker.send({
            type: 'start',
            config: e.spec.config,
            baseDir: e.spec.baseDir,
            cache: e.spec.cache(),
          })
          return
        case 'done':
          terminal = { kind: 'completed', summary: m.summary }
          break
        case 'cancelled':
          terminal = { kind: 'cancelled' }
          break
        case 'failed':
          terminal = { kind: 'failed', message: m.error.message }
          break
      }
      e.spec.onMessage(m)
      if (terminal) {
        // The run is over as far as the project is concerned; the process gets a moment
        // to exit by itself and is killed if it lingers.
        this.finish(e, terminal)
        setTimeout(() => worker.kill(), 2000).unref()
      }
    })
    worker.onExit((code, signal, stderrTail) => {
      if (e.state === 'finished') return
      if (terminal) this.finish(e, terminal)
      else if (e.cancelRequested) this.finish(e, { kind: 'cancelled' })
      else {
        const how = signal ? `was killed (${signal})` : `exited with code ${code}`
        const tail = stderrTail.trim().split('\n').slice(-5).join('\n')
        this.finish(e, {
          kind: 'failed',
          message: `the worker process ${how}${tail ? `: ${tail}` : ''}`,
        })
      }
    })
  }

  private finish(e: Entry, outcome: JobOutcome): void {
    if (e.state === 'finished') return
    e.state = 'finished'
    try {
      e.spec.onEnd(outcome)
    } finally {
      this.pump()
    }
  }
}
