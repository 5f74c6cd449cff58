// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../../core/api/records.ts'
import { ApiClient, setApiClient } from '../api/client.ts'
import { fakeTransport, flush, runRecord } from '../test/fake-transport.ts'
import { matchesText, readViewSettings, useRunsStore } from './runs.ts'

const P = '/ws/study.basiscope'
/** The project as the store opens it: the runs table keeps it by id. */
const PROJECT = { id: 'project-id', path: P }

function run(id: number, patch: Partial<RunRecord> = {}): RunRecord {
  return runRecord(id, {
    backend: 'wasm',
    configSummary: { scheme: 'forward', optimizer: 'riemannian-adam' },
    ...patch,
  })
}

function setup(runs: RunRecord[]) {
  const db = new Map(runs.map((r) => [r.id, r]))
  const fake = fakeTransport({
    'runs.list': () => [...db.values()],
    'runs.get': ({ runId }) => ({ run: db.get(runId as number), summary: null }),
    'runs.start': ({ config, name }) => {
      const r = run(db.size + 1, { status: 'queued', name: (name as string) ?? 'x', config })
      db.set(r.id, r)
      return { run: r, jobId: `job-${r.id}`, runs: [{ run: r, jobId: `job-${r.id}` }], group: null }
    },
    'runs.delete': ({ runId }) => {
      const r = db.get(runId as number)!
      if (r.status === 'running') {
        throw { code: 'INVALID_ARGUMENT', message: `run ${runId} is running; cancel it first` }
      }
      db.delete(r.id)
      return null
    },
    'runs.update': ({ runId, tags }) => {
      const r = { ...db.get(runId as number)!, tags: tags as string[] }
      db.set(r.id, r)
      return r
    },
    'jobs.list': () => [],
    'jobs.cancel': () => null,
  })
  setApiClient(new ApiClient(fake.transport))
  setActivePinia(createPinia())
  return { fake, db, store: useRunsStore() }
}

describe('useRunsStore', () => {
  beforeEach(() => {
    setApiClient(null)
    localStorage.clear()
  })

  it('loads the runs of a project and keeps sort and filter state', async () => {
    const { store } = setup([
      run(1, { tags: ['baseline'] }),
      run(2, { status: 'failed', keyMetrics: { testAccuracy: 0.9 } }),
      run(3, { keyMetrics: { testAccuracy: 0.95 } }),
    ])
    await store.load(PROJECT)
    expect(store.visible.map((r) => r.id)).toEqual([3, 2, 1])
    store.sortBy('metric.testAccuracy')
    // Largest first; a run without the metric goes last.
    expect(store.visible.map((r) => r.id)).toEqual([3, 2, 1])
    store.sortBy('metric.testAccuracy')
    expect(store.visible.map((r) => r.id)).toEqual([2, 3, 1])
    store.view.filter.status = 'failed'
    expect(store.visible.map((r) => r.id)).toEqual([2])
    store.view.filter.status = ''
    store.view.filter.tag = 'baseline'
    expect(store.visible.map((r) => r.id)).toEqual([1])
    expect(store.allTags).toEqual(['baseline'])
  })

  it('patches a row from run.status and re-reads it for its metrics', async () => {
    const { store, fake, db } = setup([run(1, { status: 'running' })])
    await store.load(PROJECT)
    db.set(1, run(1, { status: 'completed', keyMetrics: { testAccuracy: 0.93 } }))
    fake.emit({
      event: 'run.status',
      payload: { project: P, projectId: 'project-id', runId: 1, status: 'completed', error: null },
    })
    expect(store.runs[0].status).toBe('completed')
    await flush()
    expect(store.runs[0].keyMetrics.testAccuracy).toBe(0.93)
    // Another project's events leave this table alone.
    fake.emit({
      event: 'run.status',
      payload: {
        project: P,
        projectId: 'another-project',
        runId: 1,
        status: 'failed',
        error: 'x',
      },
    })
    expect(store.runs[0].status).toBe('completed')
  })

  it('starts a run, shows it at once and can cancel it by the job id it got', async () => {
    const { store, fake } = setup([])
    await store.load(PROJECT)
    const r = await store.start({ seed: 1 }, 'quick')
    expect(store.runs.map((x) => x.id)).toEqual([r.id])
    expect(fake.callsOf('runs.start')[0]).toEqual({
      project: 'project-id',
      config: { seed: 1 },
      name: 'quick',
    })
    await store.cancel(r.id)
    expect(fake.callsOf('jobs.cancel')).toEqual([{ jobId: `job-${r.id}` }])
    expect(fake.callsOf('jobs.list')).toEqual([])
  })

  it('keeps a running run the backend refuses to delete, with its message', async () => {
    const { store } = setup([run(1, { status: 'running' }), run(2)])
    await store.load(PROJECT)
    store.toggleSelected(1)
    store.toggleSelected(2)
    await expect(store.remove(1)).rejects.toThrow('run 1 is running; cancel it first')
    expect(store.runs).toHaveLength(2)
    await store.remove(2)
    expect(store.runs.map((r) => r.id)).toEqual([1])
    expect(store.selected).toEqual([1])
  })

  it('allows compare for 2 to 4 selected runs', async () => {
    const { store } = setup([1, 2, 3, 4, 5].map((i) => run(i)))
    await store.load(PROJECT)
    store.toggleSelected(1)
    expect(store.canCompare).toBe(false)
    store.toggleSelected(2)
    expect(store.canCompare).toBe(true)
    store.toggleSelected(3)
    store.toggleSelected(4)
    expect(store.canCompare).toBe(true)
    store.toggleSelected(5)
    expect(store.canCompare).toBe(false)
    store.clearSelection()
    expect(store.selected).toEqual([])
  })

  it('updates tags through the backend', async () => {
    const { store, fake } = setup([run(1)])
    await store.load(PROJECT)
    await store.update(1, { tags: ['a', 'b'] })
    expect(fake.callsOf('runs.update')[0]).toEqual({
      project: 'project-id',
      runId: 1,
      tags: ['a', 'b'],
    })
    expect(store.runs[0].tags).toEqual(['a', 'b'])
  })

  it('keeps each project its own columns, filter and sort, across a reload', async () => {
    localStorage.clear()
    const { store } = setup([
      run(1, { config: { rotation: { optimizer: { lr: 0.01 } } } }),
      run(2, { config: { rotation: { optimizer: { lr: 1e-4 } } } }),
    ])
    await store.load(PROJECT)
    store.toggleSelected(1)
    store.setColumn('config.rotation.optimizer.lr', true)
    store.view.filter.where = 'rotation.optimizer.lr < 1e-3'
    store.sortBy('config.rotation.optimizer.lr')
    expect(store.visible.map((r) => r.id)).toEqual([2])
    expect(store.columns.map((c) => c.key)).toContain('config.rotation.optimizer.lr')
    await flush()

    await store.load({ id: 'other-id', path: '/ws/other.basiscope' })
    expect(store.selected).toEqual([])
    expect(store.view.filter.where).toBe('')
    expect(store.view.sort).toEqual({ key: 'id', dir: 'desc' })

    // A new page (a reload) reads the settings back, also after a rename moved the file.
    setActivePinia(createPinia())
    const again = useRunsStore()
    await again.load({ id: 'project-id', path: '/ws/renamed.basiscope' })
    expect(again.view.filter.where).toBe('rotation.optimizer.lr < 1e-3')
    expect(again.columns.map((c) => c.key)).toContain('config.rotation.optimizer.lr')
    expect(again.view.sort).toEqual({ key: 'config.rotation.optimizer.lr', dir: 'desc' })
    expect(again.visible.map((r) => r.id)).toEqual([2])
  })

  it('reads settings saved by path before projects had ids, then keeps them by id', async () => {
    localStorage.clear()
    localStorage.setItem(
      `basiscope.runsView:${P}`,
      JSON.stringify({ filter: { where: 'seed = 1' }, sort: { key: 'name', dir: 'asc' } }),
    )
    const { store } = setup([run(1)])
    await store.load(PROJECT)
    expect(store.view.filter.where).toBe('seed = 1')
    store.view.filter.text = 'x'
    await flush()
    expect(JSON.parse(localStorage.getItem('basiscope.runsView:project-id')!).filter.text).toBe('x')
  })

  it('shows a bad structured filter as an error and filters nothing by it', async () => {
    const { store } = setup([run(1), run(2)])
    await store.load(PROJECT)
    store.view.filter.where = 'testAccuracy >'
    expect(store.whereError).toMatch(/expected a value after >/)
    expect(store.visible).toHaveLength(2)
  })

  it('ignores saved settings of the wrong shape', () => {
    localStorage.setItem('basiscope.runsView:/x', JSON.stringify({ columns: [1], sort: 'id' }))
    expect(readViewSettings('/x').columns).toBeNull()
    expect(readViewSettings('/x').sort).toEqual({ key: 'id', dir: 'desc' })
    localStorage.setItem('basiscope.runsView:/x', '{not json')
    expect(readViewSettings('/x').filter.where).toBe('')
  })
})

describe('matchesText', () => {
  it('finds every word in the run id, name, status, notes and key config', () => {
    const r = run(1, { name: 'run 10', notes: 'Looks like the dead units moved' })
    expect(matchesText(r, 'run adam')).toBe(true)
    expect(matchesText(r, '#1')).toBe(true)
    expect(matchesText(r, 'dead units')).toBe(true)
    expect(matchesText(r, 'seed-gd')).toBe(false)
  })
})
