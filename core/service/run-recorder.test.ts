import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EventMessage } from '../api/contract.ts'
import { parseRunConfig } from '../experiment/config.ts'
import type { RunSummary } from '../api/summary.ts'
import { createProject } from '../store/project-store.ts'
import type { ProjectStore, RunUpdate } from '../store/types.ts'
import { EventHub } from './events.ts'
import type { FromWorker, ToWorker } from './jobs/protocol.ts'
import { JobRunner, type WorkerHandle } from './jobs/runner.ts'
import { RunRecorder } from './run-recorder.ts'

const summary = {
  backend: 'cpu',
  tfjsVersion: '4.22.0',
  seconds: 1,
  data: { sha256: 'abc' },
  model: { testAccuracy: 0.9 },
  functionPreservation: { maxAbsLogitDiff: 1e-6, accuracyAfter: 0.9 },
  rotation: { orthogonalityError: 1e-7, layers: [] },
} as unknown as RunSummary

/**
 * A worker that streams one metric and `extra`, then finishes with `summary`; what it was
 * started with goes to `starts`.
 */
function finishingWorker(extra: FromWorker[] = [], starts: ToWorker[] = []): WorkerHandle {
  let handler: (m: FromWorker) => void = () => {}
  return {
    send: (m: ToWorker) => {
      if (m.type !== 'start') return
      starts.push(m)
      queueMicrotask(() => {
        handler({ type: 'metrics', points: [{ key: 'loss', step: 0, wallTime: 0, value: 1 }] })
        for (const x of extra) handler(x)
        handler({ type: 'done', summary })
      })
    },
    onMessage: (h) => {
      handler = h
      queueMicrotask(() => h({ type: 'ready' }))
    },
    onExit: () => {},
    kill: () => {},
  }
}

/** The project's store, with `updateRun` failing whenever it is given a summary. */
function failingResultSaves(store: ProjectStore): ProjectStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'updateRun') {
        return (id: number, update: RunUpdate) => {
          if (update.summary !== undefined) throw new Error('disk full')
          return target.updateRun(id, update)
        }
      }
      const value = Reflect.get(target, key, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

async function record(
  wrap: (s: ProjectStore) => ProjectStore,
  worker: () => WorkerHandle = finishingWorker,
  setUp: (s: ProjectStore) => void = () => {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'basiscope-recorder-'))
  const file = join(dir, 'p.basiscope')
  const real = createProject(file, 'P')
  setUp(real)
  const store = wrap(real)
  const events = new EventHub()
  const runner = new JobRunner(worker, 1)
  const recorder = new RunRecorder(runner, events, dir)
  const seen: { message: EventMessage; savedSummary: unknown }[] = []
  let runId = 0
  const ended = new Promise<void>((resolve) =>
    events.subscribe((message) => {
      // What the file holds at the moment the event goes out.
      seen.push({ message, savedSummary: runId ? real.runSummary(runId) : null })
      if (
        message.event === 'run.status' &&
        ['completed', 'failed'].includes(message.payload.status)
      )
        resolve()
    }),
  )
  const project = { path: file, id: real.info().id, store }
  runId = recorder.start(project, parseRunConfig({}), 'r').run.id
  await ended
  return { seen, run: real.getRun(runId), real }
}

const statuses = (seen: { message: EventMessage }[]) =>
  seen.flatMap((s) => (s.message.event === 'run.status' ? [s.message.payload] : []))

describe('run recorder', () => {
  it('announces completed only once the result is in the project file', async () => {
    const { seen, run, real } = await record((s) => s)
    const done = seen.find(
      (s) => s.message.event === 'run.status' && s.message.payload.status === 'completed',
    )!
    expect(done.savedSummary).toEqual(summary)
    expect(run).toMatchObject({ status: 'completed', backend: 'cpu', datasetSha256: 'abc' })
    expect(run.keyMetrics.testAccuracy).toBe(0.9)
    expect(real.metricSeries(run.id, 'loss')).toHaveLength(1)
    expect(statuses(seen).map((p) => p.status)).toEqual(['queued', 'running', 'completed'])
    real.close()
  })

  it('fails the run, naming the error, when its result cannot be saved', async () => {
    const { seen, run, real } = await record(failingResultSaves)
    const payloads = statuses(seen)
    expect(payloads.map((p) => p.status)).toEqual(['queued', 'running', 'failed'])
    expect(payloads.at(-1)!.error).toBe(
      'the run finished, but could not record the result: disk full',
    )
    expect(run).toMatchObject({
      status: 'failed',
      error: 'the run finished, but could not record the result: disk full',
    })
    expect(run.finishedAt).not.toBeNull()
    const log = seen.find((s) => s.message.event === 'log.line')!.message
    expect(log).toMatchObject({ payload: { level: 'error', runId: run.id } })
    real.close()
  })

  it('starts the worker with the project cache and saves the entries it sends back, checked', async () => {
    const starts: ToWorker[] = []
    const sent: FromWorker[] = [
      { type: 'cache', entry: { key: 'baselines:new', value: { rows: [1, 2] } } },
      { type: 'cache', entry: { key: '', value: 1 } },
      { type: 'cache', entry: { key: 'nan', value: { x: Number.NaN } } },
    ]
    const { seen, run, real } = await record(
      (s) => s,
      () => finishingWorker(sent, starts),
      (s) => s.writeCacheEntry({ key: 'baselines:old', value: { rows: [] } }, null),
    )
    expect(starts).toMatchObject([
      { type: 'start', cache: [{ key: 'baselines:old', value: { rows: [] } }] },
    ])
    expect(real.cacheEntries().map((e) => e.key)).toEqual(['baselines:new', 'baselines:old'])
    // The bad entries were refused, each with a message naming the field; the run still completed.
    const logs = seen.flatMap((s) => (s.message.event === 'log.line' ? [s.message.payload] : []))
    expect(logs.map((l) => l.message)).toEqual([
      expect.stringMatching(
        /^could not record a cache entry: the worker's cache entry is invalid:\n.*\n.*at \[0\]\.key/,
      ),
      expect.stringMatching(
        /^could not record a cache entry: the worker's cache entry is invalid:\n.*\n.*at \[0\]\.value/,
      ),
    ])
    expect(run.status).toBe('completed')
    real.close()
  })
})
