import { BasiscopeError } from '../../errors.ts'
import type { ExploreResults } from '../../experiment/explore.ts'
import type { ExploreTask } from './explore-protocol.ts'
import type { ToWorker } from './protocol.ts'
import type { WorkerFactory, WorkerHandle } from './runner.ts'

/** How long the explore worker stays up with nothing to do (it holds a run's inputs). */
export const EXPLORE_IDLE_MS = 5 * 60_000

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
  onProgress?(fraction: number): void
}

interface LiveWorker {
  readonly handle: WorkerHandle
  ready: boolean
  /** Messages sent before the worker said it is ready. */
  readonly queue: ToWorker[]
}

/** A task on its way: its id (to cancel it) and its result. */
export interface RunningTask<T> {
  readonly taskId: number
  readonly result: Promise<T>
}

/**
 * The service's side of the explore worker: one long-lived worker process (the job workers'
 * factory and entry, sent `task`s instead of `start`), started on the first task, stopped
 * after EXPLORE_IDLE_MS without one. A crash fails the tasks it had, and the next task starts
 * a fresh worker; jobs never wait for it, nor it for them.
 */
export class ExploreClient {
  private worker: LiveWorker | null = null
  private readonly pending = new Map<number, Pending>()
  private nextTask = 1
  private idle: ReturnType<typeof setTimeout> | null = null
  private closed = false

  constructor(
    private readonly factory: WorkerFactory,
    private readonly idleMs = EXPLORE_IDLE_MS,
  ) {}

  run<T extends ExploreTask>(
    task: T,
    onProgress?: (fraction: number) => void,
  ): RunningTask<ExploreResults[T['kind']]> {
    const taskId = this.nextTask++
    const result = new Promise<ExploreResults[T['kind']]>((resolve, reject) => {
      if (this.closed) {
        reject(new BasiscopeError('CANCELLED', 'the service is closing'))
        return
      }
      this.pending.set(taskId, { resolve: resolve as (v: unknown) => void, reject, onProgress })
      if (this.idle) clearTimeout(this.idle)
      this.idle = null
      try {
        this.post({ type: 'task', taskId, task })
      } catch (e) {
        this.settle(taskId, (p) =>
          p.reject(
            new BasiscopeError(
              'INTERNAL',
              `could not start the explore worker: ${(e as Error).message}`,
            ),
          ),
        )
      }
    })
    return { taskId, result }
  }

  /** Asks the worker to stop a task; it then fails with CANCELLED. */
  cancel(taskId: number): void {
    if (this.pending.has(taskId)) this.post({ type: 'task-cancel', taskId })
  }

  /** Stops the worker; tasks still pending fail with CANCELLED. */
  close(): void {
    this.closed = true
    this.stop(new BasiscopeError('CANCELLED', 'the service is closing'))
  }

  private post(message: ToWorker): void {
    const w = this.worker ?? this.start()
    if (w.ready) w.handle.send(message)
    else w.queue.push(message)
  }

  private start(): LiveWorker {
    const w: LiveWorker = { handle: this.factory(), ready: false, queue: [] }
    this.worker = w
    w.handle.onMessage((m) => {
      switch (m.type) {
        case 'ready':
          w.ready = true
          for (const queued of w.queue.splice(0)) w.handle.send(queued)
          return
        case 'task-progress':
          this.pending.get(m.taskId)?.onProgress?.(m.fraction)
          return
        case 'task-done':
          return this.settle(m.taskId, (p) => p.resolve(m.value))
        case 'task-failed':
          return this.settle(m.taskId, (p) =>
            p.reject(new BasiscopeError(m.error.code, m.error.message)),
          )
      }
    })
    w.handle.onExit((code, signal, stderrTail) => {
      if (this.worker !== w) return
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`
      const tail = stderrTail.trim().split('\n').slice(-5).join('\n')
      this.stop(
        new BasiscopeError('INTERNAL', `the explore worker ${how}${tail ? `: ${tail}` : ''}`),
      )
    })
    return w
  }

  /** Ends the worker (if any) and fails every pending task with `error`. */
  private stop(error: Error): void {
    const w = this.worker
    this.worker = null
    if (this.idle) clearTimeout(this.idle)
    this.idle = null
    for (const p of this.pending.values()) p.reject(error)
    this.pending.clear()
    w?.handle.kill()
  }

  private settle(taskId: number, end: (p: Pending) => void): void {
    const p = this.pending.get(taskId)
    if (!p) return
    this.pending.delete(taskId)
    end(p)
    if (this.pending.size === 0 && this.worker) {
      const w = this.worker
      this.idle = setTimeout(() => {
        if (this.worker === w && this.pending.size === 0) this.stop(new Error('idle'))
      }, this.idleMs)
      this.idle.unref?.()
    }
  }
}
