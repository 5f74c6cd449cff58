import { BasiscopeError } from '../../errors.ts'
import type { RunCache } from '../../experiment/baseline-cache.ts'
import type { CacheEntry } from '../../store/types.ts'
import { parseRunConfig } from '../../experiment/config.ts'
import { isWarning } from '../../experiment/run-context.ts'
import { type MetricRecord, runPipeline } from '../../experiment/pipeline.ts'
import { ExploreTasks } from './explore-worker.ts'
import { type FromWorker, type ToWorker, checkedCacheEntries } from './protocol.ts'

/** How often buffered metric points are flushed to the runner. */
const METRIC_FLUSH_MS = 250
/** Progress events are throttled by the pipeline; this bounds the rate once more. */
const PROGRESS_MIN_MS = 100

/**
 * The body of a worker process: waits for `start`, runs the pipeline, streams progress,
 * metrics and artifacts back, and stops on `cancel`. Transport-agnostic: `send` and
 * `onMessage` are the process's IPC channel. A worker sent `task`s instead serves the input
 * explorer (explore-worker.ts) until it is killed; its promise then never settles.
 */
export function runWorker(
  send: (m: FromWorker) => void,
  onMessage: (h: (m: ToWorker) => void) => void,
): Promise<void> {
  const controller = new AbortController()
  let tasks: ExploreTasks | null = null
  return new Promise((resolve) => {
    let started = false
    onMessage(async (message) => {
      if (message.type === 'task') {
        tasks ??= new ExploreTasks(send)
        void tasks.run(message.taskId, message.task)
        return
      }
      if (message.type === 'task-cancel') {
        tasks?.cancel(message.taskId)
        return
      }
      if (message.type === 'cancel') {
        controller.abort()
        return
      }
      if (message.type !== 'start' || started) return
      started = true
      let buffer: MetricRecord[] = []
      const flush = (): void => {
        if (buffer.length) send({ type: 'metrics', points: buffer })
        buffer = []
      }
      const timer = setInterval(flush, METRIC_FLUSH_MS)
      let lastProgress = 0
      try {
        const config = parseRunConfig(message.config)
        const summary = await runPipeline(config, {
          outDir: null,
          baseDir: message.baseDir,
          signal: controller.signal,
          cache: projectCache(checkedCacheEntries(message.cache, 'start.cache'), send),
          onProgress: (event) => {
            const now = Date.now()
            const throttled = event.fraction < 1 && !isWarning(event)
            if (throttled && now - lastProgress < PROGRESS_MIN_MS) return
            lastProgress = now
            send({ type: 'progress', event })
          },
          onMetric: (point) => buffer.push(point),
          onArtifact: (artifact) => send({ type: 'artifact', artifact }),
        })
        flush()
        send({ type: 'done', summary })
      } catch (e) {
        flush()
        const err = e as Error
        if (err instanceof BasiscopeError && err.code === 'CANCELLED') send({ type: 'cancelled' })
        else {
          send({
            type: 'failed',
            error: {
              code: err instanceof BasiscopeError ? err.code : 'INTERNAL',
              message: err instanceof BasiscopeError ? err.message : (err.stack ?? err.message),
            },
          })
        }
      } finally {
        clearInterval(timer)
        resolve()
      }
    })
    send({ type: 'ready' })
  })
}

/**
 * The run's view of its project's cache: the entries the runner sent, and every entry the
 * run sets goes back to be saved in the project.
 */
function projectCache(entries: readonly CacheEntry[], send: (m: FromWorker) => void): RunCache {
  const known = new Map(entries.map((e) => [e.key, e.value]))
  return {
    get: (key) => known.get(key),
    set: (key, value) => {
      known.set(key, value)
      send({ type: 'cache', entry: { key, value } })
    },
  }
}
