import { BasiscopeError, CancelledError } from '../../errors.ts'
import {
  type ExploreResults,
  type PreparedRun,
  type RunSource,
  heldOutJacobians,
  heldOutPixels,
  heldOutSparsity,
  prepareExploreRun,
} from '../../experiment/explore.ts'
import type { ExploreTask } from './explore-protocol.ts'
import type { FromWorker } from './protocol.ts'

/** Runs whose held-out inputs a worker keeps ready (each: its inputs and their σ'(z)). */
const PREPARED_KEPT = 2
/** Inputs per step of a ranking pass: progress and cancel are seen between steps. */
const RANKING_STEP = 128

/**
 * The explore worker's side of the input explorer: tasks in, results out, each run's
 * held-out inputs prepared once and kept for the next task. A ranking pass yields between
 * steps, so a single input asked for meanwhile is answered at once and a cancel is seen.
 */
export class ExploreTasks {
  private readonly prepared = new Map<string, Promise<PreparedRun>>()
  private readonly cancelled = new Set<number>()

  constructor(private readonly send: (m: FromWorker) => void) {}

  cancel(taskId: number): void {
    this.cancelled.add(taskId)
  }

  async run(taskId: number, task: ExploreTask): Promise<void> {
    try {
      const value = await this.execute(taskId, task)
      this.send({ type: 'task-done', taskId, value })
    } catch (e) {
      const err = e as Error
      const known = err instanceof BasiscopeError
      this.send({
        type: 'task-failed',
        taskId,
        error: {
          code: known ? err.code : 'INTERNAL',
          message: known ? err.message : (err.stack ?? err.message),
        },
      })
    } finally {
      this.cancelled.delete(taskId)
    }
  }

  /** The prepared run, kept as its promise so tasks arriving while it is prepared share it. */
  private runOf(source: RunSource): Promise<PreparedRun> {
    let run = this.prepared.get(source.key)
    if (run) {
      this.prepared.delete(source.key)
    } else {
      run = prepareExploreRun(source)
      // A run that could not be prepared is not kept: the next task tries again.
      run.catch(() => {
        if (this.prepared.get(source.key) === run) this.prepared.delete(source.key)
      })
      while (this.prepared.size >= PREPARED_KEPT) {
        this.prepared.delete(this.prepared.keys().next().value!)
      }
    }
    this.prepared.set(source.key, run)
    return run
  }

  private async execute(
    taskId: number,
    task: ExploreTask,
  ): Promise<ExploreResults[ExploreTask['kind']]> {
    const run = await this.runOf(task.source)
    switch (task.kind) {
      case 'index':
        return run.index
      case 'pixels':
        return heldOutPixels(run, task.inputs)
      case 'jacobians':
        return heldOutJacobians(run, task.input)
      case 'sparsity':
        return heldOutSparsity(run, task.layer, RANKING_STEP, async (fraction) => {
          if (this.cancelled.has(taskId)) throw new CancelledError('ranking cancelled')
          this.send({ type: 'task-progress', taskId, fraction })
          // Lets the next message in: another task, or this one's cancel.
          await new Promise((resolve) => setImmediate(resolve))
        })
    }
  }
}
