import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventMessage } from '../../core/api/contract.ts'
import type { ProjectInfo, RunRecord } from '../../core/api/records.ts'
import { type WorkerHandle, nodeWorkerFactory } from '../../core/service/jobs/runner.ts'
import { BasiscopeService } from '../../core/service/service.ts'
import { readSafetensors } from '../../core/model/io/safetensors.ts'
import { call, statusIs, tinyConfig, waitForEvent } from '../helpers/service.ts'

/** Logits of a 2-hidden-layer ReLU MLP from plain or rotated-weights safetensors, one input. */
function logitsOf(file: ReturnType<typeof readSafetensors>, rotated: boolean): number[] {
  const t = (name: string) => {
    const found = file.tensors.get(name)
    if (!found) throw new Error(`missing tensor ${name}`)
    return { shape: [...found.shape], data: Array.from(found.data as ArrayLike<number>) }
  }
  const matvec = (w: { shape: number[]; data: number[] }, x: number[]) =>
    Array.from({ length: w.shape[0] }, (_, i) =>
      x.reduce((s, xj, j) => s + w.data[i * w.shape[1] + j] * xj, 0),
    )
  let a = Array.from({ length: 784 }, (_, i) => ((i * 37) % 101) / 101)
  for (let k = 1; k <= 3; k++) {
    const w = t(rotated ? `fc${k}.weight_rotated_in` : `fc${k}.weight`)
    const z = matvec(w, a).map((v, i) => v + t(`fc${k}.bias`).data[i])
    if (k === 3) return z
    const h = z.map((v) => Math.max(0, v))
    a = rotated ? matvec(t(`R${k}`), h) : h
  }
  return a
}

/** Long enough to be interrupted: many epochs over a small set. */
const slowConfig = {
  ...tinyConfig,
  model: { source: 'train', hidden: [12, 8], epochs: 400, learningRate: 0.005 },
}

/** Starts a slow run and waits until it is training. */
async function startTraining(
  service: BasiscopeService,
  project: string,
): Promise<{ run: RunRecord }> {
  const started = await call<{ run: RunRecord }>(service, 'runs.start', {
    project,
    config: slowConfig,
  })
  await waitForEvent(
    service,
    (m) =>
      m.event === 'job.progress' &&
      m.payload.runId === started.run.id &&
      m.payload.phase === 'train',
  )
  return started
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true })
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? ''
  } finally {
    db.close()
  }
}

/** Real worker processes, with a handle on each so a test can kill one. */
function trackedWorkers(): { workers: WorkerHandle[]; workerFactory: () => WorkerHandle } {
  const workers: WorkerHandle[] = []
  const base = nodeWorkerFactory()
  return {
    workers,
    workerFactory: () => {
      const w = base()
      workers.push(w)
      return w
    },
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

describe('service: projects, runs in worker processes, events', () => {
  const services: BasiscopeService[] = []
  const make = (
    dir: string,
    extra: Partial<ConstructorParameters<typeof BasiscopeService>[0]> = {},
  ) => {
    const s = new BasiscopeService({ workspaceDir: dir, ...extra })
    services.push(s)
    return s
  }
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close()
  })

  it('lists the shipped presets, each a partial config the validator accepts', async () => {
    const service = make(mkdtempSync(join(tmpdir(), 'basiscope-svc-')))
    const presets = await call<{ id: string; name: string; config: unknown }[]>(
      service,
      'config.presets',
    )
    expect(presets.map((p) => p.id)).toEqual(['circuit', 'fast', 'original-method'])
    expect(presets[2].name).toMatch(/^Original method/)
    for (const p of presets) {
      const v = await call<{ ok: boolean; issues: unknown[] }>(service, 'config.validate', {
        config: p.config,
      })
      expect(v).toMatchObject({ ok: true, issues: [] })
    }
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-presets-'))
    writeFileSync(join(dir, 'broken.json'), '{ nope')
    const broken = await make(dir, { presetsDir: dir }).handle({
      id: 1,
      command: 'config.presets',
      params: {},
    })
    expect(broken).toMatchObject({ ok: false, error: { code: 'INVALID_FILE' } })
    if (!broken.ok) expect(broken.error.message).toContain('broken.json: not valid JSON')
  })

  it('creates a project, runs a job to completion with ordered progress, and finds everything after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-svc-'))
    const service = make(dir)
    const project = await call<ProjectInfo>(service, 'projects.create', { name: 'First project' })
    const events: EventMessage[] = []
    service.subscribe((m) => events.push(m))
    const { run } = await call<{ run: RunRecord; jobId: string }>(service, 'runs.start', {
      project: project.path,
      config: tinyConfig,
      name: 'tiny',
    })
    // With a free worker slot the job starts at once.
    expect(['queued', 'running']).toContain(run.status)
    const end = await waitForEvent(service, statusIs(run.id, 'completed', 'failed'))
    expect(end.payload).toMatchObject({ status: 'completed' })

    const progress = events
      .filter((e) => e.event === 'job.progress')
      .map((e) => e.payload as { fraction: number; phase: string })
    expect(progress.length).toBeGreaterThan(3)
    for (let i = 1; i < progress.length; i++)
      expect(progress[i].fraction).toBeGreaterThanOrEqual(progress[i - 1].fraction - 1e-9)
    const statuses = events
      .filter((e) => e.event === 'run.status')
      .map((e) => (e.payload as { status: string }).status)
    expect(statuses).toEqual(['queued', 'running', 'completed'])

    // A fresh service (a new app start) sees the same run, metrics and artifacts.
    await service.close()
    const again = make(dir)
    const runs = await call<RunRecord[]>(again, 'runs.list', { project: project.path })
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ id: run.id, status: 'completed', name: 'tiny' })
    expect(runs[0].keyMetrics.maxAbsLogitDiff).toBeLessThan(5e-4)
    const { summary } = await call<{ summary: { rotation: { layers: unknown[] } } }>(
      again,
      'runs.get',
      { project: project.path, runId: run.id },
    )
    expect(summary.rotation.layers).toHaveLength(3)
    const metrics = await call<Record<string, { step: number; value: number }[]>>(
      again,
      'runs.metrics',
      {
        project: project.path,
        runId: run.id,
        maxPoints: 50,
      },
    )
    expect(Object.keys(metrics)).toEqual(
      expect.arrayContaining(['train.loss', 'objective.layer1', 'objective.layer2']),
    )
    expect(metrics['objective.layer1'].length).toBeGreaterThan(5)
    const artifacts = await call<{ id: number; kind: string; name: string }[]>(
      again,
      'artifacts.list',
      { project: project.path, runId: run.id },
    )
    const heat = artifacts.find((a) => a.name === 'layer2.learned')!
    const got = await call<{ tensor: { shape: number[]; data: number[] } }>(
      again,
      'artifacts.get',
      { project: project.path, artifactId: heat.id },
    )
    expect(got.tensor.shape).toEqual([8, 12])
    expect(got.tensor.data).toHaveLength(96)
    expect(
      artifacts
        .filter((a) => a.kind === 'rotation')
        .map((a) => a.name)
        .sort(),
    ).toEqual(['R1', 'R2'])

    // Export a run for Python.
    const out = join(dir, 'export')
    const { files } = await call<{ files: string[] }>(again, 'runs.export', {
      project: project.path,
      runId: run.id,
      directory: out,
    })
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual([
      'mean-abs-jacobians.safetensors',
      'model.safetensors',
      'rotated-weights.safetensors',
      'rotations.safetensors',
      'run.json',
    ])
    // The rotated weights compute the same function: ã₁ = R₁ σ(W₁x + b₁), logits from
    // W₂R₁ᵀ — checked against the plain weights on a random input.
    const rotated = readSafetensors(files.find((f) => f.endsWith('rotated-weights.safetensors'))!)
    const plain = readSafetensors(files.find((f) => f.endsWith('/model.safetensors'))!)
    expect(logitsOf(rotated, true)).toEqual(logitsOf(plain, false).map((v) => expect.closeTo(v, 4)))

    // The same files as bytes for clients that save downloads themselves.
    const file = await call<{ filename: string; mimeType: string; base64: string }>(
      again,
      'runs.exportFile',
      { project: project.path, runId: run.id, kind: 'rotated-weights' },
    )
    expect(file.filename).toBe(`run-${run.id}-rotated-weights.safetensors`)
    expect(Buffer.from(file.base64, 'base64')).toEqual(
      readFileSync(files.find((f) => f.endsWith('rotated-weights.safetensors'))!),
    )
    const bad = await again.handle({
      id: 1,
      command: 'runs.exportFile',
      params: { project: project.path, runId: run.id, kind: 'pickle' },
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toContain('kind')
    expect(integrity(project.path)).toBe('ok')
  })

  it('cancels a running job within a second and keeps what it recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-svc-'))
    const service = make(dir)
    const project = await call<ProjectInfo>(service, 'projects.create', { name: 'cancel me' })
    const started = await call<{ run: RunRecord; jobId: string }>(service, 'runs.start', {
      project: project.path,
      config: slowConfig,
    })
    await waitForEvent(
      service,
      (m) =>
        m.event === 'job.progress' &&
        m.payload.phase === 'train' &&
        (m.payload.values?.epoch ?? 0) >= 2,
    )
    const t0 = Date.now()
    await call(service, 'jobs.cancel', { jobId: started.jobId })
    await waitForEvent(service, statusIs(started.run.id, 'cancelled'), 5000)
    expect(Date.now() - t0).toBeLessThan(1000)
    const metrics = await call<Record<string, unknown[]>>(service, 'runs.metrics', {
      project: project.path,
      runId: started.run.id,
    })
    expect(metrics['train.loss'].length).toBeGreaterThan(0)
    const { run } = await call<{ run: RunRecord }>(service, 'runs.get', {
      project: project.path,
      runId: started.run.id,
    })
    expect(run.status).toBe('cancelled')
    expect(run.finishedAt).not.toBeNull()
  })

  it('runs left running by a crash are marked interrupted on the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-svc-'))
    const first = make(dir)
    const project = await call<ProjectInfo>(first, 'projects.create', { name: 'crash' })
    const started = await startTraining(first, project.path)
    // Simulate the app dying: the row stays 'running' in the file.
    const db = new Database(project.path)
    expect(
      (db.prepare('SELECT status FROM runs WHERE id = ?').get(started.run.id) as { status: string })
        .status,
    ).toBe('running')
    db.close()
    const copy = join(dir, 'after-crash.basiscope')
    // The file as a crash leaves it: the database and its write-ahead log, taken mid-run.
    writeFileSync(copy, readFileSync(project.path))
    if (existsSync(`${project.path}-wal`))
      writeFileSync(`${copy}-wal`, readFileSync(`${project.path}-wal`))
    const second = make(dir)
    const runs = await call<RunRecord[]>(second, 'runs.list', { project: copy })
    expect(runs[0].status).toBe('interrupted')
  })

  it('compares runs: config differences, key metrics and how similar their bases are', async () => {
    const service = make(mkdtempSync(join(tmpdir(), 'basiscope-svc-')))
    const project = await call<ProjectInfo>(service, 'projects.create', { name: 'compare' })
    const ids: number[] = []
    // 12 steps barely leave the start, so a Haar-random start gives a different basis.
    for (const init of ['identity', 'random']) {
      const { run } = await call<{ run: RunRecord }>(service, 'runs.start', {
        project: project.path,
        config: { ...tinyConfig, rotation: { ...tinyConfig.rotation, init } },
      })
      await waitForEvent(service, statusIs(run.id, 'completed'))
      ids.push(run.id)
    }
    const [a, b] = ids
    const result = await call<{
      configDiff: { path: string; values: unknown[] }[]
      configTable: { path: string; values: unknown[]; differs: boolean }[]
      metrics: { key: string; values: (number | null)[] }[]
      bases: {
        space: number
        size: number
        chance: number
        pairs: { a: number; b: number; meanAbsCos: number; permutationDistance: number }[]
      }[]
    }>(service, 'runs.compare', { project: project.path, runIds: [a, b, a] })
    expect(result.configDiff).toContainEqual({
      path: 'rotation.init',
      values: ['identity', 'random', 'identity'],
    })
    expect(result.configTable).toContainEqual({
      path: 'model.epochs',
      values: [2, 2, 2],
      differs: false,
    })
    expect(result.configTable.filter((r) => r.differs).map((r) => r.path)).toEqual(
      result.configDiff.map((r) => r.path),
    )
    expect(result.metrics.find((m) => m.key === 'testAccuracy')!.values).toHaveLength(3)
    expect(result.bases.map((x) => [x.space, x.size])).toEqual([
      [1, 12],
      [2, 8],
    ])
    for (const space of result.bases) {
      const same = space.pairs.find((p) => p.a === a && p.b === a)!
      expect(same.meanAbsCos).toBeCloseTo(1, 6)
      expect(same.permutationDistance).toBeCloseTo(0, 3)
      const other = space.pairs.find((p) => p.a === a && p.b === b)!
      expect(other.meanAbsCos).toBeGreaterThan(0)
      expect(other.meanAbsCos).toBeLessThan(1 - 1e-3)
      expect(space.chance).toBeGreaterThan(0.3)
      expect(space.chance).toBeLessThan(0.9)
    }
  })

  it('queues with a concurrency limit of 1 and rejects bad input with clear errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-svc-'))
    const service = make(dir)
    const project = await call<ProjectInfo>(service, 'projects.create', { name: 'queue' })
    const a = await call<{ run: RunRecord; jobId: string }>(service, 'runs.start', {
      project: project.path,
      config: tinyConfig,
    })
    const b = await call<{ run: RunRecord; jobId: string }>(service, 'runs.start', {
      project: project.path,
      config: tinyConfig,
    })
    const jobs = await call<{ jobId: string; state: string }[]>(service, 'jobs.list')
    expect(jobs.find((j) => j.jobId === b.jobId)!.state).toBe('queued')
    await call(service, 'jobs.cancel', { jobId: b.jobId })
    await waitForEvent(service, statusIs(a.run.id, 'completed'))
    const runs = await call<RunRecord[]>(service, 'runs.list', { project: project.path })
    expect(runs.find((r) => r.id === b.run.id)!.status).toBe('cancelled')

    const bad = await service.handle({
      id: 9,
      command: 'runs.start',
      params: { project: project.path, config: { rotation: { measure: { name: 'lp', p: -1 } } } },
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } })
    expect(!bad.ok && bad.error.message).toMatch(/rotation\.measure\.p/)
    expect(await service.handle({ nope: true })).toMatchObject({
      id: null,
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    expect(await service.handle({ id: 1, command: 'runs.fly' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    })
    expect(
      await service.handle({
        id: 2,
        command: 'runs.get',
        params: { project: project.path, runId: 'x' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(
      await service.handle({
        id: 3,
        command: 'runs.get',
        params: { project: project.path, runId: 999 },
      }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    const junk = join(dir, 'junk.basiscope')
    writeFileSync(junk, 'not a database at all')
    const before = sha(junk)
    const imported = await service.handle({
      id: 4,
      command: 'projects.import',
      params: { source: junk },
    })
    expect(imported).toMatchObject({ ok: false })
    expect(!imported.ok && imported.error.message).toContain('junk.basiscope')
    expect(sha(junk)).toBe(before)
  })

  it('exports a consistent snapshot during a run; a killed worker fails only its run; random kills never corrupt the project', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-svc-'))
    const { workers, workerFactory } = trackedWorkers()
    const service = make(dir, { workerFactory })
    const project = await call<ProjectInfo>(service, 'projects.create', { name: 'stress' })
    const done = await call<{ run: RunRecord }>(service, 'runs.start', {
      project: project.path,
      config: tinyConfig,
    })
    await waitForEvent(service, statusIs(done.run.id, 'completed'))

    // Export while another run is writing metrics: the copy opens elsewhere with the completed run.
    const busy = await startTraining(service, project.path)
    const snapshot = join(mkdtempSync(join(tmpdir(), 'basiscope-elsewhere-')), 'copy.basiscope')
    await call(service, 'projects.export', { path: project.path, destination: snapshot })
    expect(integrity(snapshot)).toBe('ok')
    const elsewhere = make(mkdtempSync(join(tmpdir(), 'basiscope-other-')))
    const copied = await call<RunRecord[]>(elsewhere, 'runs.list', { project: snapshot })
    expect(copied.find((r) => r.id === done.run.id)).toMatchObject({ status: 'completed' })

    // Kill workers at random moments (seeded): every kill fails its run and nothing else.
    workers.at(-1)!.kill()
    const killed = await waitForEvent(service, statusIs(busy.run.id, 'failed', 'cancelled'), 10_000)
    expect(killed.payload).toMatchObject({ status: 'failed' })
    expect((killed.payload as { error: string }).error).toMatch(/killed|exited/)
    expect(integrity(project.path)).toBe('ok')
    // The service keeps serving.
    expect(await call<ProjectInfo[]>(service, 'projects.list')).toHaveLength(1)
    let seed = 12345
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 3; i++) {
      const victim = await call<{ run: RunRecord }>(service, 'runs.start', {
        project: project.path,
        config: tinyConfig,
      })
      // Watch before killing: a run may finish just before its kill lands.
      const ended = waitForEvent(service, statusIs(victim.run.id, 'failed', 'completed'))
      await new Promise((r) => setTimeout(r, 300 + random() * 2500))
      workers.at(-1)!.kill()
      const end = await ended
      expect(['failed', 'completed']).toContain((end.payload as { status: string }).status)
      expect(integrity(project.path)).toBe('ok')
    }
    const runs = await call<RunRecord[]>(service, 'runs.list', { project: project.path })
    expect(runs.find((r) => r.id === done.run.id)).toMatchObject({ status: 'completed' })
    expect(runs.every((r) => ['completed', 'failed'].includes(r.status))).toBe(true)
  })
})
