// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { EventMessage, Reply } from '../../../core/api/contract.ts'
import type { RunRecord } from '../../../core/api/records.ts'
import { ApiClient, setApiClient } from '../api/client.ts'
import type { Transport } from '../api/transport.ts'
import { runRecord } from '../test/fake-transport.ts'
import { stubWebFiles } from '../test/web-files.ts'
import { POLL_MS, sameProject, useRunViewStore } from './run-view.ts'

const P = '/ws/study.basiscope'

function record(status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord {
  return runRecord(3, { status, createdAt: '2025-01-01T00:00:00Z', ...extra })
}

type Handler = (params: Record<string, unknown>) => unknown

/** A transport that answers from handlers, records calls, and lets the test emit events. */
function fake(handlers: Record<string, Handler>) {
  const calls: { command: string; params: Record<string, unknown> }[] = []
  const listeners = new Set<(m: EventMessage) => void>()
  const gates: { command: string; release: () => void }[] = []
  let gated: string | null = null
  const transport: Transport = {
    async call(request) {
      const params = (request.params ?? {}) as Record<string, unknown>
      calls.push({ command: request.command, params })
      if (gated === request.command)
        await new Promise<void>((r) => gates.push({ command: request.command, release: r }))
      const h = handlers[request.command]
      if (!h)
        return {
          id: request.id,
          ok: false,
          error: { code: 'UNKNOWN_COMMAND', message: request.command },
        } as Reply
      try {
        return { id: request.id, ok: true, value: h(params) } as Reply
      } catch (e) {
        return {
          id: request.id,
          ok: false,
          error: { code: 'NOT_FOUND', message: (e as Error).message },
        } as Reply
      }
    },
    onEvent(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    state: () => 'open',
    onState: () => () => {},
  }
  return {
    transport,
    calls,
    of: (command: string) => calls.filter((c) => c.command === command).map((c) => c.params),
    emit: (m: EventMessage) => listeners.forEach((l) => l(m)),
    listeners,
    gate: (command: string | null) => (gated = command),
    gates,
  }
}

const flush = async () => {
  for (let i = 0; i < 6; i++) await Promise.resolve()
}

function setup(status: RunRecord['status'] = 'completed', extra: Record<string, Handler> = {}) {
  const state = { status, summary: status === 'completed' ? { seconds: 1 } : null }
  const f = fake({
    'runs.get': () => ({ run: record(state.status), summary: state.summary }),
    'artifacts.list': () => [
      {
        id: 11,
        runId: 3,
        kind: 'mean-abs-jacobian',
        name: 'layer1.neuron',
        dtype: 'float32',
        shape: [2, 2],
        meta: { layer: 1, basis: 'neuron' },
        bytes: 16,
      },
    ],
    'runs.metrics': () => ({ 'objective.layer1': [{ step: 1, wallTime: 0.1, value: 5 }] }),
    'artifacts.get': (p) => ({
      info: {
        id: p.artifactId,
        runId: 3,
        kind: 'k',
        name: `a${p.artifactId}`,
        dtype: 'float32',
        shape: [2, 2],
        meta: null,
        bytes: 16,
      },
      tensor: { dtype: 'float32', shape: [2, 2], data: [1, 2, 3, Number(p.artifactId)] },
    }),
    'jobs.list': () => [{ jobId: 'job-9', project: P, runId: 3, state: 'running', queuedAt: '' }],
    'jobs.cancel': () => null,
    'runs.update': (p) =>
      record(state.status, { name: String(p.name ?? 'run 3'), tags: (p.tags as string[]) ?? [] }),
    'runs.exportFile': (p) => ({
      filename: `run-3-${p.kind}`,
      mimeType: 'application/json',
      base64: '',
    }),
    ...extra,
  })
  setApiClient(new ApiClient(f.transport))
  setActivePinia(createPinia())
  return { f, state, store: useRunViewStore() }
}

describe('useRunViewStore', () => {
  beforeEach(() => setApiClient(null))
  afterEach(() => vi.useRealTimers())

  it('loads the record, summary, artifacts and metric series of a run', async () => {
    const { f, store } = setup()
    await store.load(P, 3)
    expect(store.run?.name).toBe('run 3')
    expect(store.summary).toEqual({ seconds: 1 })
    expect(store.artifacts.map((a) => a.name)).toEqual(['layer1.neuron'])
    expect(Object.keys(store.metrics)).toEqual(['objective.layer1'])
    expect(f.of('runs.metrics')[0]).toMatchObject({
      project: P,
      runId: 3,
      maxPoints: expect.any(Number),
    })
    expect(store.live).toBe(false)
    expect(store.artifact('mean-abs-jacobian', 'layer1.neuron')?.id).toBe(11)
  })

  it('reads the finished runs of the run’s seed group for the group’s verdicts', async () => {
    const member = (id: number, status: RunRecord['status'], group: string | null) =>
      runRecord(id, { status, group })
    const { f, store } = setup('completed', {
      'runs.get': (p) => ({
        run: member(Number(p.runId), 'completed', 'seeds-a'),
        summary: { seconds: Number(p.runId) },
      }),
      'runs.list': () => [
        member(3, 'completed', 'seeds-a'),
        member(4, 'completed', 'seeds-a'),
        member(5, 'failed', 'seeds-a'),
        member(6, 'completed', 'seeds-b'),
      ],
    })
    await store.load(P, 3)
    await flush()
    expect(store.seedGroup?.runIds).toEqual([3, 4])
    expect(store.seedGroup?.summaries).toEqual([{ seconds: 3 }, { seconds: 4 }])
    // The run's own summary is not fetched twice.
    expect(f.of('runs.get').map((c) => c.runId)).toEqual([3, 4])
    store.unload()
    expect(store.seedGroup).toBeNull()
  })

  it('says what went wrong when the run cannot be read', async () => {
    const { store } = setup('completed', {
      'runs.get': () => {
        throw new Error('run 3 not found')
      },
    })
    await store.load(P, 3)
    expect(store.error).toBe('run 3 not found')
    expect(store.loading).toBe(false)
  })

  it('follows a live run: progress events, polling, and the summary when it completes', async () => {
    vi.useFakeTimers()
    const { f, state, store } = setup('running')
    await store.load(P, 3)
    expect(store.live).toBe(true)
    f.emit({
      event: 'job.progress',
      payload: {
        jobId: 'job-1',
        project: P,
        projectId: 'project-id',
        runId: 3,
        phase: 'rotate',
        message: 'layer 1',
        fraction: 0.5,
        etaSeconds: 12,
        values: { step: 4 },
      },
    })
    // Another run's progress is not ours.
    f.emit({
      event: 'job.progress',
      payload: {
        jobId: 'job-2',
        project: P,
        projectId: 'project-id',
        runId: 4,
        phase: 'train',
        message: 'x',
        fraction: 0.1,
        etaSeconds: null,
      },
    })
    expect(store.progress).toMatchObject({
      jobId: 'job-1',
      phase: 'rotate',
      fraction: 0.5,
      etaSeconds: 12,
      values: { step: 4 },
    })
    expect(store.jobId).toBe('job-1')

    const before = f.of('runs.metrics').length
    await vi.advanceTimersByTimeAsync(POLL_MS + 10)
    expect(f.of('runs.metrics').length).toBe(before + 1)

    state.status = 'completed'
    state.summary = { seconds: 2 }
    f.emit({
      event: 'run.status',
      payload: { project: P, projectId: 'project-id', runId: 3, status: 'completed', error: null },
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(store.status).toBe('completed')
    expect(store.summary).toEqual({ seconds: 2 })
    expect(store.progress).toBeNull()
    // Polling stopped with the run.
    const after = f.of('runs.metrics').length
    await vi.advanceTimersByTimeAsync(3 * POLL_MS)
    expect(f.of('runs.metrics').length).toBe(after)
  })

  it('notices a run that ends without an event (driven by another process) by polling', async () => {
    vi.useFakeTimers()
    const { state, store } = setup('running')
    await store.load(P, 3)
    state.status = 'cancelled'
    await vi.advanceTimersByTimeAsync(POLL_MS + 10)
    expect(store.status).toBe('cancelled')
    expect(store.live).toBe(false)
  })

  it('matches events to the route project even when written differently', () => {
    expect(sameProject('/ws/study.basiscope', '/ws/./study.basiscope')).toBe(true)
    expect(sameProject('/ws/study.basiscope', '/ws//study.basiscope')).toBe(true)
    expect(sameProject('/ws/study.basiscope', 'study.basiscope')).toBe(true)
    expect(sameProject('/ws/study.basiscope', '/other/study.basiscope')).toBe(false)
  })

  it('cancels through the job found in jobs.list when no progress named it', async () => {
    const { f, store } = setup('running')
    await store.load(P, 3)
    await store.cancel()
    expect(f.of('jobs.cancel')).toEqual([{ jobId: 'job-9' }])
    expect(store.cancelling).toBe(true)
  })

  it('fails a cancel clearly when the run has no job', async () => {
    const { store } = setup('running', { 'jobs.list': () => [] })
    await store.load(P, 3)
    await expect(store.cancel()).rejects.toThrow(/no job to cancel/)
    expect(store.cancelling).toBe(false)
  })

  it('renames and tags through runs.update, ignoring no-op renames', async () => {
    const { f, store } = setup()
    await store.load(P, 3)
    await store.rename('  run 3 ')
    expect(f.of('runs.update')).toHaveLength(0)
    await store.rename('baseline, lp')
    expect(store.run?.name).toBe('baseline, lp')
    await store.setTags(['a', ' a', 'b', ''])
    expect(f.of('runs.update')[1]).toEqual({ project: P, runId: 3, tags: ['a', 'b'] })
  })

  it('fetches tensors one at a time, as Float32Arrays, cached by artifact id', async () => {
    const { f, store } = setup()
    await store.load(P, 3)
    f.gate('artifacts.get')
    const a = store.tensor(11)
    const b = store.tensor(12)
    const again = store.tensor(11)
    await flush()
    // The second request waits for the first.
    expect(f.of('artifacts.get')).toHaveLength(1)
    f.gates.shift()!.release()
    const ta = await a
    await flush()
    expect(f.of('artifacts.get')).toHaveLength(2)
    f.gates.shift()!.release()
    const tb = await b
    // The repeated ask shared the first request.
    expect(await again).toBe(ta)
    expect(ta.data).toBeInstanceOf(Float32Array)
    expect(Array.from(ta.data)).toEqual([1, 2, 3, 11])
    expect(Array.from(tb.data)).toEqual([1, 2, 3, 12])
    f.gate(null)
    await store.tensor(11)
    expect(f.of('artifacts.get')).toHaveLength(2)
  })

  it('stops listening on unload and forgets the run', async () => {
    const { f, store } = setup('running')
    await store.load(P, 3)
    expect(f.listeners.size).toBe(2)
    store.unload()
    expect(f.listeners.size).toBe(0)
    expect(store.run).toBeNull()
    f.emit({
      event: 'job.progress',
      payload: {
        jobId: 'j',
        project: P,
        projectId: 'project-id',
        runId: 3,
        phase: 'train',
        message: '',
        fraction: 0.1,
        etaSeconds: null,
      },
    })
    expect(store.progress).toBeNull()
  })

  it('drops the replies of a run the view already left', async () => {
    const { f, store } = setup()
    f.gate('runs.get')
    const first = store.load(P, 3)
    await flush()
    store.unload()
    f.gate(null)
    f.gates.shift()!.release()
    await first
    expect(store.run).toBeNull()
  })

  it('asks the backend for export files of the run', async () => {
    const { f, store } = setup()
    await store.load(P, 3)
    const file = await store.exportFile('rotations')
    expect(file.filename).toBe('run-3-rotations')
    expect(f.of('runs.exportFile')).toEqual([
      { project: P, runId: 3, kind: 'rotations', format: 'safetensors', tensor: undefined },
    ])
    await store.exportFile('rotations', 'npy', 'R2')
    expect(f.of('runs.exportFile')[1]).toMatchObject({ format: 'npy', tensor: 'R2' })
  })
  it("downloads every file as one zip in the browser (the server's run export)", async () => {
    const { f, store } = setup()
    await store.load(P, 3)
    sessionStorage.setItem('basiscope.token', 'secret')
    const web = stubWebFiles(() => ({
      download: '/files/download/T2',
      filename: 'study-run-3.zip',
      bytes: 3 * 1024 ** 2,
    }))
    expect(await store.exportAll('npy')).toBe('Downloading study-run-3.zip (3.0 MB)')
    expect(web.requests[0].url).toBe(
      `/files/export-run?project=${encodeURIComponent(P)}&runId=3&format=npy`,
    )
    expect(web.requests[0].init.method).toBe('POST')
    expect(web.tokenOf(0)).toBe('secret')
    expect(web.clicked).toEqual(['/files/download/T2 as study-run-3.zip'])
    expect(f.of('runs.export')).toEqual([]) // no server-side path named by the page
    web.restore()
  })

  it('in Electron writes every file into the folder its dialog picks', async () => {
    const { f, store } = setup('completed', {
      'runs.export': (p) => ({
        files: [`${p.directory}/run.json`, `${p.directory}/model.safetensors`],
      }),
    })
    await store.load(P, 3)
    const picked: unknown[] = []
    const pick = vi.fn(async (request: unknown) => {
      picked.push(request)
      return picked.length === 1 ? '/home/me/out' : null
    })
    vi.stubGlobal('basiscope', { pickPath: pick })
    expect(await store.exportAll()).toBe('Exported 2 files to /home/me/out')
    expect(f.of('runs.export')).toEqual([
      { project: P, runId: 3, directory: '/home/me/out', format: 'safetensors' },
    ])
    expect(picked[0]).toMatchObject({ kind: 'directory' })
    expect(await store.exportAll()).toBeNull() // cancelled
    expect(f.of('runs.export')).toHaveLength(1)
    vi.unstubAllGlobals()
  })
})
