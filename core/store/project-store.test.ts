import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { APP_VERSION } from '../version.ts'
import { SCHEMA_VERSION } from './migrations.ts'
import { createProject, openProject } from './project-store.ts'
import type { StoredTensor } from './types.ts'
import { thrown } from '../../test/helpers/errors.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-store-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let counter = 0
function newFile(): string {
  return path.join(dir, `p${++counter}.basiscope`)
}

function bytesOf(t: StoredTensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)
}

function rawCount(file: string, sql: string, ...params: unknown[]): number {
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare(sql)
      .pluck()
      .get(...params) as number
  } finally {
    db.close()
  }
}

const config = { model: { sizes: [4, 3, 2] }, rotation: { scheme: 'givens' } }

describe('project store', () => {
  it('keeps runs, tags, metrics and artifacts across close and reopen', () => {
    const file = newFile()
    const store = createProject(file, 'Round trip')
    expect(store.path).toBe(file)

    const run1 = store.createRun({
      name: 'first',
      config,
      seed: 42,
      configSummary: { scheme: 'givens' },
    })
    expect(run1).toMatchObject({
      id: 1,
      name: 'first',
      status: 'queued',
      startedAt: null,
      finishedAt: null,
      seed: 42,
      appVersion: APP_VERSION,
      tags: [],
      notes: '',
      keyMetrics: {},
      config,
    })
    const run2 = store.createRun({ name: 'second', config: { x: 1 }, seed: 7, configSummary: {} })
    store.updateRun(run1.id, {
      status: 'completed',
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:05:00.000Z',
      backend: 'cpu',
      tfjsVersion: '4.22.0',
      datasetSha256: 'ab'.repeat(32),
      keyMetrics: { testAccuracy: 0.97, diverged: Number.NaN, worst: Infinity, best: -Infinity },
      summary: { layers: [{ nearZero: 0.5 }] },
      notes: 'looks good',
    })
    store.setTags(run1.id, ['baseline', 'mnist', 'baseline'])
    store.setTags(run2.id, ['wip'])

    store.appendMetrics(run1.id, [
      { key: 'loss', step: 2, wallTime: 1002, value: 0.5 },
      { key: 'loss', step: 1, wallTime: 1001, value: 0.9 },
      { key: 'loss', step: 3, wallTime: 1003, value: Number.NaN },
      { key: 'acc', step: 1, wallTime: 1001, value: 0.1 },
    ])

    const odd = new Float32Array([0.1, -0, Number.NaN, 1e-40, -3.5, 65504, 7])
    new Uint32Array(odd.buffer)[2] = 0x7fc0beef // NaN payload must survive
    const tensors: StoredTensor[] = [
      { dtype: 'float32', shape: [7], data: odd },
      { dtype: 'float64', shape: [2, 2], data: new Float64Array([Math.PI, -0, 1e-310, -1]) },
      { dtype: 'int32', shape: [3], data: new Int32Array([-1, 0, 2147483647]) },
      { dtype: 'uint8', shape: [1, 5], data: new Uint8Array([0, 1, 127, 128, 255]) },
    ]
    const arts = tensors.map((t, i) =>
      store.addArtifact(run1.id, 'rotation', `t${i}`, { layer: i, basis: 'learned' }, t),
    )
    const analysis = store.addArtifact(run1.id, 'analysis', 'summary', { result: [1, 2] }, null)
    expect(arts[0]).toEqual({
      id: arts[0].id,
      runId: run1.id,
      kind: 'rotation',
      name: 't0',
      dtype: 'float32',
      shape: [7],
      meta: { layer: 0, basis: 'learned' },
      bytes: 28,
    })
    expect(analysis).toMatchObject({ dtype: null, shape: null, bytes: 0, meta: { result: [1, 2] } })

    store.close()
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(file)))).toEqual([
      path.basename(file),
    ])

    const again = openProject(file)
    const info = again.info()
    expect(info).toMatchObject({
      path: file,
      name: 'Round trip',
      runCount: 2,
      schemaVersion: SCHEMA_VERSION,
    })
    expect(info.id).toMatch(/^[0-9a-f-]{36}$/)

    const runs = again.listRuns()
    expect(runs.map((r) => r.name)).toEqual(['first', 'second'])
    expect(runs[0]).toMatchObject({
      status: 'completed',
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:05:00.000Z',
      backend: 'cpu',
      tfjsVersion: '4.22.0',
      datasetSha256: 'ab'.repeat(32),
      tags: ['baseline', 'mnist'],
      notes: 'looks good',
      configSummary: { scheme: 'givens' },
      config,
    })
    expect(runs[0].keyMetrics).toEqual({
      testAccuracy: 0.97,
      diverged: Number.NaN,
      worst: Infinity,
      best: -Infinity,
    })
    expect(runs[1].tags).toEqual(['wip'])
    expect(again.getRun(run1.id)).toEqual(runs[0])
    expect(again.runSummary(run1.id)).toEqual({ layers: [{ nearZero: 0.5 }] })
    expect(again.runSummary(run2.id)).toBeNull()

    expect(again.metricKeys(run1.id)).toEqual(['acc', 'loss'])
    expect(again.metricSeries(run1.id, 'loss')).toEqual([
      { step: 1, wallTime: 1001, value: 0.9 },
      { step: 2, wallTime: 1002, value: 0.5 },
      { step: 3, wallTime: 1003, value: Number.NaN },
    ])
    expect(again.metricSeries(run1.id, 'missing')).toEqual([])

    const listed = again.listArtifacts(run1.id)
    expect(listed.map((a) => a.name)).toEqual(['t0', 't1', 't2', 't3', 'summary'])
    expect(again.artifactMeta(arts[1].id)).toEqual(arts[1])
    tensors.forEach((t, i) => {
      const back = again.readArtifactTensor(arts[i].id) as StoredTensor
      expect(back.dtype).toBe(t.dtype)
      expect(back.shape).toEqual(t.shape)
      expect(back.data.constructor).toBe(t.data.constructor)
      expect(back.data.byteOffset).toBe(0)
      expect(bytesOf(back).equals(bytesOf(t))).toBe(true)
    })
    expect(again.readArtifactTensor(analysis.id)).toBeNull()

    expect(again.integrityCheck()).toEqual([])
    again.close()
  })

  it('runs in WAL mode with foreign keys and a busy timeout, and is one file at rest', () => {
    const file = newFile()
    const a = createProject(file, 'Modes')
    expect(a.pragma('journal_mode')).toBe('wal')
    expect(a.pragma('foreign_keys')).toBe(1)
    expect(a.pragma('busy_timeout')).toBe(5000)
    const b = openProject(file)
    b.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    a.close() // b still has it open: stays in WAL mode
    expect(b.pragma('journal_mode')).toBe('wal')
    expect(b.listRuns()).toHaveLength(1)
    b.close()
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
    expect(fs.existsSync(`${file}-shm`)).toBe(false)
    const header = fs.readFileSync(file).subarray(18, 20)
    expect(Array.from(header)).toEqual([1, 1]) // rollback-journal mode at rest
  })

  it('refuses to create over an existing file', () => {
    const file = newFile()
    createProject(file, 'One').close()
    const before = fs.readFileSync(file)
    const err = thrown(() => createProject(file, 'Two'))
    expect(err.code).toBe('INVALID_FILE')
    expect(err.message).toBe(`${file}: already exists; not overwriting it`)
    expect(fs.readFileSync(file).equals(before)).toBe(true)
    expect(thrown(() => createProject(path.join(dir, 'nope', 'x.basiscope'), 'X')).message).toMatch(
      /folder does not exist/,
    )
    expect(thrown(() => createProject(newFile(), '  ')).code).toBe('INVALID_ARGUMENT')
  })

  it('clears orphaned companion files before creating a project under their name', () => {
    const file = newFile()
    const other = newFile()
    const store = createProject(other, 'Other')
    store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    fs.copyFileSync(`${other}-wal`, `${file}-wal`) // a stray WAL from another database
    store.close()
    const fresh = createProject(file, 'Fresh')
    expect(fresh.listRuns()).toEqual([])
    expect(fresh.integrityCheck()).toEqual([])
    fresh.close()
  })

  it('renames, and reports last activity and run count', () => {
    const file = newFile()
    const store = createProject(file, 'Old name')
    const created = store.info()
    expect(created.lastActivity).toBe(created.createdAt)
    expect(created.runCount).toBe(0)
    const run = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    store.updateRun(run.id, { finishedAt: '2999-01-01T00:00:00.000Z' })
    store.rename('New name')
    const info = store.info()
    expect(info.name).toBe('New name')
    expect(info.runCount).toBe(1)
    expect(info.lastActivity).toBe('2999-01-01T00:00:00.000Z')
    store.close()
  })

  it('names missing runs and artifacts and refuses bad input', () => {
    const store = createProject(newFile(), 'Errors')
    const err = thrown(() => store.getRun(99))
    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toBe(`run 99 does not exist in ${store.path}`)
    expect(() => store.updateRun(99, { notes: 'x' })).toThrow(/run 99 does not exist/)
    expect(() => store.deleteRun(99)).toThrow(/run 99 does not exist/)
    expect(() => store.setTags(99, ['a'])).toThrow(/run 99 does not exist/)
    expect(() => store.appendMetrics(99, [{ key: 'k', step: 0, wallTime: 0, value: 1 }])).toThrow(
      /run 99 does not exist/,
    )
    expect(() => store.addArtifact(99, 'k', 'n', null, null)).toThrow(/run 99 does not exist/)
    expect(() => store.readArtifactTensor(5)).toThrow(/artifact 5 does not exist/)
    const run = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    expect(() => store.updateRun(run.id, { status: 'done' as never })).toThrow(/unknown run status/)
    expect(() => store.createRun({ name: 'r', config: {}, seed: 1.5, configSummary: {} })).toThrow(
      /seed must be an integer/,
    )
    expect(() =>
      store.addArtifact(run.id, 'k', 'n', null, {
        dtype: 'float32',
        shape: [3],
        data: new Float32Array(2),
      }),
    ).toThrow(/has 3 elements but the data has 2/)
    expect(() => store.metricSeries(run.id, 'loss', 1)).toThrow(/maxPoints/)
    // A failed multi-row write leaves nothing behind.
    expect(() =>
      store.appendMetrics(run.id, [
        { key: 'loss', step: 0, wallTime: 0, value: 1 },
        { key: 'loss', step: Number.NaN, wallTime: 0, value: 1 },
      ]),
    ).toThrow(/finite/)
    expect(store.metricSeries(run.id, 'loss')).toEqual([])
    store.close()
  })

  it('downsamples a metric series keeping the extremes, in step order', () => {
    const store = createProject(newFile(), 'Metrics')
    const run = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    const n = 5000
    const steps = Array.from({ length: n }, (_, i) => i)
    // Written out of order, in several batches.
    steps.reverse()
    const points = steps.map((step) => ({
      key: 'loss',
      step,
      wallTime: 1000 + step,
      value: step === 2345 ? 100 : step === 4000 ? -100 : 1 + Math.cos(step / 10),
    }))
    for (let i = 0; i < n; i += 1000) store.appendMetrics(run.id, points.slice(i, i + 1000))
    const full = store.metricSeries(run.id, 'loss')
    expect(full).toHaveLength(n)
    const down = store.metricSeries(run.id, 'loss', 200)
    expect(down.length).toBeLessThanOrEqual(200)
    expect(down[0]).toEqual({ step: 0, wallTime: 1000, value: 2 })
    expect(down[down.length - 1].step).toBe(n - 1)
    const downSteps = down.map((p) => p.step)
    expect(downSteps).toEqual([...downSteps].sort((a, b) => a - b))
    expect(down.find((p) => p.step === 2345)?.value).toBe(100)
    expect(down.find((p) => p.step === 4000)?.value).toBe(-100)
    store.close()
  })

  it('deleting a run removes its tags, metrics and artifacts', () => {
    const file = newFile()
    const store = createProject(file, 'Cascade')
    const doomed = store.createRun({ name: 'doomed', config: {}, seed: 1, configSummary: {} })
    const kept = store.createRun({ name: 'kept', config: {}, seed: 2, configSummary: {} })
    for (const run of [doomed, kept]) {
      store.setTags(run.id, ['a', 'b'])
      store.appendMetrics(run.id, [
        { key: 'loss', step: 0, wallTime: 0, value: 1 },
        { key: 'loss', step: 1, wallTime: 1, value: 0.5 },
      ])
      store.addArtifact(run.id, 'rotation', 'R', null, {
        dtype: 'float32',
        shape: [2],
        data: new Float32Array([1, 2]),
      })
    }
    store.deleteRun(doomed.id)
    expect(store.listRuns().map((r) => r.name)).toEqual(['kept'])
    store.close()
    for (const table of ['tags', 'metrics', 'artifacts']) {
      expect(rawCount(file, `SELECT count(*) FROM ${table} WHERE run_id = ?`, doomed.id)).toBe(0)
      expect(rawCount(file, `SELECT count(*) FROM ${table} WHERE run_id = ?`, kept.id)).toBe(
        2 - (table === 'artifacts' ? 1 : 0),
      )
    }
  })

  it('marks runs left running or queued by a crash as interrupted', () => {
    const file = newFile()
    const store = createProject(file, 'Crash')
    const make = (name: string) => store.createRun({ name, config: {}, seed: 1, configSummary: {} })
    const queued = make('queued')
    const running = make('running')
    const done = make('done')
    const failed = make('failed')
    store.updateRun(running.id, { status: 'running', startedAt: '2026-11-25T10:00:00.000Z' })
    store.updateRun(done.id, { status: 'completed' })
    store.updateRun(failed.id, { status: 'failed', error: 'out of memory' })
    store.close() // as if the app had died: reopen and recover

    const again = openProject(file)
    expect(again.markInterrupted()).toEqual([queued.id, running.id])
    const byName = new Map(again.listRuns().map((r) => [r.name, r]))
    expect(byName.get('queued')?.status).toBe('interrupted')
    expect(byName.get('running')?.status).toBe('interrupted')
    expect(byName.get('running')?.error).toMatch(/interrupted/)
    expect(byName.get('done')?.status).toBe('completed')
    expect(byName.get('failed')).toMatchObject({ status: 'failed', error: 'out of memory' })
    expect(again.markInterrupted()).toEqual([])
    again.close()
  })

  it('exports a consistent copy while another connection keeps writing', async () => {
    const file = newFile()
    const dest = path.join(dir, 'exported.basiscope')
    const exporter = createProject(file, 'Busy')
    // ~8 MB, so the backup takes several steps and the writer gets in between them.
    const bulk = exporter.createRun({ name: 'bulk', config: {}, seed: 0, configSummary: {} })
    for (let i = 0; i < 4; i++) {
      exporter.addArtifact(bulk.id, 'blob', `b${i}`, null, {
        dtype: 'float32',
        shape: [1 << 19],
        data: new Float32Array(1 << 19).fill(i),
      })
    }
    const writer = openProject(file)
    let stop = false
    let committed = 1
    const metricsPerRun = 20
    const loop = (async () => {
      while (!stop) {
        const run = writer.createRun({ name: 'w', config: {}, seed: 1, configSummary: {} })
        writer.appendMetrics(
          run.id,
          Array.from({ length: metricsPerRun }, (_, step) => ({
            key: 'loss',
            step,
            wallTime: step,
            value: step,
          })),
        )
        writer.updateRun(run.id, { status: 'completed' })
        committed = run.id
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
    const committedBefore = committed
    await exporter.exportTo(dest)
    const committedAfter = committed
    stop = true
    await loop
    expect(committedAfter).toBeGreaterThan(committedBefore) // the writer really ran meanwhile

    const copy = openProject(dest, { readonly: true }) // validates, incl. integrity_check
    expect(copy.integrityCheck()).toEqual([])
    const runs = copy.listRuns()
    expect(runs.map((r) => r.id)).toEqual(Array.from({ length: runs.length }, (_, i) => i + 1))
    expect(runs.length).toBeGreaterThanOrEqual(committedBefore)
    expect(runs.length).toBeLessThanOrEqual(committedAfter + 1)
    // Every run but the newest (whose writes may have been cut between transactions) is whole.
    for (const run of runs.slice(1, -1)) {
      expect(run.status).toBe('completed')
      expect(copy.metricSeries(run.id, 'loss')).toHaveLength(metricsPerRun)
    }
    const blob = copy.readArtifactTensor(copy.listArtifacts(bulk.id)[3].id) as StoredTensor
    expect(blob.data[12345]).toBe(3)
    copy.close()
    expect(fs.existsSync(`${dest}-wal`)).toBe(false)
    expect(fs.readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false)
    writer.close()
    exporter.close()
  })

  it('refuses to export over the open file itself', async () => {
    const file = newFile()
    const store = createProject(file, 'Self')
    await expect(store.exportTo(file)).rejects.toThrow(/is the open project itself/)
    const link = path.join(dir, 'link.basiscope')
    fs.symlinkSync(file, link)
    await expect(store.exportTo(link)).rejects.toThrow(/is the open project itself/)
    await expect(
      store.exportTo(path.join(path.dirname(file), '.', path.basename(file))),
    ).rejects.toThrow(BasiscopeError)
    expect(store.integrityCheck()).toEqual([])
    store.close()
  })
})
