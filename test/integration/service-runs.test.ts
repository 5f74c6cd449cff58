import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandResult } from '../../core/api/contract.ts'
import type { ProjectInfo, RunRecord } from '../../core/api/records.ts'
import type { BasiscopeService } from '../../core/service/service.ts'
import {
  ask,
  call,
  serviceFactory,
  statusIs,
  tinyConfig,
  waitForEvent,
} from '../helpers/service.ts'

type Comparison = CommandResult<'runs.compare'>

/** Reads a .npy v1.0 file's shape and float32 values. */
function readNpy(bytes: Buffer): { shape: number[]; values: number[] } {
  const length = bytes.readUInt16LE(8)
  const header = bytes.subarray(10, 10 + length).toString('latin1')
  const shape = /'shape': \(([\d, ]*)\)/
    .exec(header)![1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number)
  const values: number[] = []
  for (let at = 10 + length; at < bytes.length; at += 4) values.push(bytes.readFloatLE(at))
  return { shape, values }
}

describe('service: compare, notes and export of runs', () => {
  const services = serviceFactory()
  let service: BasiscopeService
  let project: ProjectInfo
  const ids = { a: 0, b: 0, failed: 0, cancelled: 0 }

  async function finished(config: unknown, name: string): Promise<number> {
    const { run } = await call<{ run: RunRecord }>(service, 'runs.start', {
      project: project.id,
      config,
      name,
    })
    await waitForEvent(service, statusIs(run.id, 'completed', 'failed', 'cancelled'))
    return run.id
  }

  beforeAll(async () => {
    service = services.make()
    project = await call<ProjectInfo>(service, 'projects.create', { name: 'Runs' })
    ids.a = await finished({ ...tinyConfig, name: 'a' }, 'a')
    ids.b = await finished(
      { ...tinyConfig, name: 'b', rotation: { ...tinyConfig.rotation, init: 'random' } },
      'b',
    )
    ids.failed = await finished(
      { ...tinyConfig, model: { source: 'file', file: '/no/such/model.safetensors' } },
      'broken',
    )
    const slow = { ...tinyConfig, model: { ...tinyConfig.model, epochs: 400 } }
    const { run, jobId } = await call<{ run: RunRecord; jobId: string }>(service, 'runs.start', {
      project: project.id,
      config: slow,
    })
    await waitForEvent(
      service,
      (m) =>
        m.event === 'job.progress' && m.payload.runId === run.id && m.payload.phase === 'train',
    )
    await call(service, 'jobs.cancel', { jobId })
    await waitForEvent(service, statusIs(run.id, 'cancelled'))
    ids.cancelled = run.id
  })
  afterAll(() => services.closeAll())

  it('compares the good runs fully when a failed and a cancelled run are picked too', async () => {
    const result = await call<Comparison>(service, 'runs.compare', {
      project: project.id,
      runIds: [ids.a, ids.failed, ids.b, ids.cancelled],
    })
    expect(result.runs.map((r) => r.status)).toEqual([
      'completed',
      'failed',
      'completed',
      'cancelled',
    ])
    expect(result.withoutResults).toEqual([
      { runId: ids.failed, status: 'failed', reason: expect.stringMatching(/^the run failed: /) },
      { runId: ids.cancelled, status: 'cancelled', reason: 'the run is cancelled' },
    ])
    expect(result.bases.map((s) => [s.space, s.size])).toEqual([
      [1, 12],
      [2, 8],
    ])
    for (const space of result.bases) {
      expect(space.runs.map((r) => r.runId)).toEqual([ids.a, ids.b])
      expect(space.pairs.map((p) => [p.a, p.b])).toEqual([[ids.a, ids.b]])
    }
    const accuracy = result.metrics.find((m) => m.key === 'testAccuracy')!
    expect(accuracy.values.map((v) => v === null)).toEqual([false, true, false, true])
  })

  it('reports how far each basis is from the identity', async () => {
    const result = await call<Comparison>(service, 'runs.compare', {
      project: project.id,
      runIds: [ids.a, ids.b],
    })
    for (const space of result.bases) {
      const [fromIdentity, fromRandom] = space.runs
      expect(fromIdentity.transform).toBe('rotation')
      // 12 steps from the identity stay near it; a Haar-random start does not.
      expect(fromIdentity.identity.meanAbsCos).toBeGreaterThan(0.9)
      expect(fromRandom.identity.meanAbsCos).toBeLessThan(fromIdentity.identity.meanAbsCos)
      expect(fromRandom.identity.permutationDistance).toBeCloseTo(
        Math.sqrt(1 - fromRandom.identity.meanAbsCos),
        6,
      )
    }
  })

  it('shows a renamed run under its new name in the config diff', async () => {
    await call(service, 'runs.update', { project: project.id, runId: ids.a, name: 'a, renamed' })
    const result = await call<Comparison>(service, 'runs.compare', {
      project: project.id,
      runIds: [ids.a, ids.b],
    })
    expect(result.configDiff).toContainEqual({ path: 'name', values: ['a, renamed', 'b'] })
    expect(result.runs[0].name).toBe('a, renamed')
  })

  it('keeps notes on a run with when they changed', async () => {
    const run = await call<RunRecord>(service, 'runs.setNotes', {
      project: project.id,
      runId: ids.b,
      notes: 'random init: far from I',
    })
    expect(run).toMatchObject({ notes: 'random init: far from I' })
    expect(Date.parse(run.notesUpdatedAt!)).not.toBeNaN()
    const listed = await call<RunRecord[]>(service, 'runs.list', { project: project.id })
    expect(listed.find((r) => r.id === ids.b)!.notes).toBe('random init: far from I')
  })

  it('exports rotations and rotated weights as .npy (float32, C order)', async () => {
    const list = await call<CommandResult<'runs.exportList'>>(service, 'runs.exportList', {
      project: project.id,
      runId: ids.a,
    })
    const rotations = list.find((f) => f.kind === 'rotations')!
    expect(rotations.tensors).toEqual([
      { name: 'R1', shape: [12, 12] },
      { name: 'R2', shape: [8, 8] },
    ])
    const file = await call<{ filename: string; base64: string }>(service, 'runs.exportFile', {
      project: project.id,
      runId: ids.a,
      kind: 'rotations',
      format: 'npy',
      tensor: 'R2',
    })
    expect(file.filename).toBe(`run-${ids.a}-rotations.R2.npy`)
    const npy = readNpy(Buffer.from(file.base64, 'base64'))
    expect(npy.shape).toEqual([8, 8])
    const { tensor } = await call<{ tensor: { data: number[] } }>(service, 'artifacts.get', {
      project: project.id,
      artifactId: (
        await call<{ id: number; name: string }[]>(service, 'artifacts.list', {
          project: project.id,
          runId: ids.a,
        })
      ).find((x) => x.name === 'R2')!.id,
    })
    expect(npy.values).toEqual(tensor.data.map(Math.fround))

    const ambiguous = await ask(service, 'runs.exportFile', {
      project: project.id,
      runId: ids.a,
      kind: 'rotations',
      format: 'npy',
    })
    expect(!ambiguous.ok && ambiguous.error.message).toMatch(/holds 2 tensors; name one of R1, R2/)

    const out = join(service.workspace.dir, 'npy-export')
    const { files } = await call<{ files: string[] }>(service, 'runs.export', {
      project: project.id,
      runId: ids.a,
      directory: out,
      format: 'npy',
    })
    const names = files.map((f) => f.slice(out.length + 1))
    expect(names).toEqual(expect.arrayContaining(['rotations.R1.npy', 'run.json']))
    expect(names.some((n) => /^rotated-weights\..+\.npy$/.test(n))).toBe(true)
    expect(readNpy(readFileSync(join(out, 'rotations.R1.npy'))).shape).toEqual([12, 12])
  })
})

describe('service: one experiment over several seeds', () => {
  const services = serviceFactory()

  it('starts one run per seed, recorded as one group, each with its own seed', async () => {
    const service = services.make()
    const project = await call<ProjectInfo>(service, 'projects.create', { name: 'Seeds' })
    const started = await call<CommandResult<'runs.start'>>(service, 'runs.start', {
      project: project.id,
      config: { ...tinyConfig, seed: 7, seeds: 2 },
      name: 'study',
    })
    expect(started.runs).toHaveLength(2)
    expect(started.group).toMatch(/^seeds-/)
    expect(started.run.id).toBe(started.runs[0].run.id)
    for (const { run } of started.runs) {
      await waitForEvent(service, statusIs(run.id, 'completed', 'failed', 'cancelled'))
    }
    const runs = await call<RunRecord[]>(service, 'runs.list', { project: project.id })
    expect(runs.map((r) => [r.name, r.seed, r.group, r.status])).toEqual([
      ['study · seed 7', 7, started.group, 'completed'],
      ['study · seed 8', 8, started.group, 'completed'],
    ])
    // Each stored config is the run's own: one seed, seeds: 1.
    expect(runs.map((r) => (r.config as { seed: number; seeds: number }).seeds)).toEqual([1, 1])
    // A single-seed run has no group.
    const single = await call<CommandResult<'runs.start'>>(service, 'runs.start', {
      project: project.id,
      config: tinyConfig,
    })
    expect(single.group).toBeNull()
    expect(single.run.group).toBeNull()
  })
})
