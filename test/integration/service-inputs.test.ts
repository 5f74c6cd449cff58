import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HeldOutInputs, InputJacobians, MostChanged } from '../../core/api/commands/inputs.ts'
import type { EventMessage } from '../../core/api/contract.ts'
import type { ProjectInfo, RunRecord } from '../../core/api/records.ts'
import type { ToWorker } from '../../core/service/jobs/protocol.ts'
import { type WorkerHandle, nodeWorkerFactory } from '../../core/service/jobs/runner.ts'
import type { BasiscopeService } from '../../core/service/service.ts'
import {
  ask,
  call,
  serviceFactory,
  statusIs,
  tinyConfig,
  waitForEvent,
} from '../helpers/service.ts'

/** Worker processes as the service starts them, with every message it sends them. */
function countingWorkers() {
  const base = nodeWorkerFactory()
  const sent: { worker: number; message: ToWorker }[] = []
  const handles: WorkerHandle[] = []
  const factory = (): WorkerHandle => {
    const h = base()
    const worker = handles.push(h) - 1
    return {
      ...h,
      send: (message) => {
        sent.push({ worker, message })
        h.send(message)
      },
    }
  }
  const tasks = (kind: string) =>
    sent.filter((s) => s.message.type === 'task' && s.message.task.kind === kind).length
  return { factory, sent, handles, tasks }
}

/** The values of a packed float32 tensor. */
function values(p: { base64: string }): number[] {
  const bytes = Buffer.from(p.base64, 'base64')
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4))
}

/** nearZero of a J as the definition reads: entries with |J| < threshold·max |J|. */
function nearZeroOf(data: readonly number[], threshold: number): number {
  const max = Math.max(...data.map(Math.abs))
  return max === 0 ? 1 : data.filter((v) => Math.abs(v) < threshold * max).length / data.length
}

describe('service: the input explorer (inputs.*)', () => {
  const services = serviceFactory()
  const workers = countingWorkers()
  let service: BasiscopeService
  let project: ProjectInfo
  const ids = { done: 0, failed: 0 }
  const events: EventMessage[] = []
  const ref = () => ({ project: project.id, runId: ids.done })

  async function finished(config: unknown): Promise<number> {
    const { run } = await call<{ run: RunRecord }>(service, 'runs.start', {
      project: project.id,
      config,
    })
    await waitForEvent(service, statusIs(run.id, 'completed', 'failed'))
    return run.id
  }

  beforeAll(async () => {
    service = services.make({ workerFactory: workers.factory })
    service.subscribe((m) => events.push(m))
    project = await call<ProjectInfo>(service, 'projects.create', { name: 'Explorer' })
    ids.done = await finished(tinyConfig)
    ids.failed = await finished({
      ...tinyConfig,
      model: { source: 'file', file: '/no/such/model.safetensors' },
    })
  })
  afterAll(() => services.closeAll())

  it('lists the held-out inputs in pages, by label, with their pixels', async () => {
    const all = await call<HeldOutInputs>(service, 'inputs.list', { ...ref(), limit: 30 })
    expect([all.total, all.matching, all.width, all.height, all.classes]).toEqual([
      100, 100, 28, 28, 10,
    ])
    expect(all.classCounts.reduce((a, b) => a + b, 0)).toBe(100)
    expect(all.inputs.map((i) => i.input)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(all.pixels).toMatchObject({ dtype: 'uint8', shape: [30, 784] })
    expect(all.pixels.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true)

    const label = all.inputs[0].label
    const sevens = await call<HeldOutInputs>(service, 'inputs.list', { ...ref(), label, offset: 1 })
    expect(sevens.matching).toBe(all.classCounts[label])
    expect(sevens.inputs).toHaveLength(all.classCounts[label] - 1)
    expect(sevens.inputs.every((i) => i.label === label)).toBe(true)
    expect(sevens.inputs[0].input).toBeGreaterThan(0)
  })

  it('answers one input in both bases, consistent with its own numbers, and keeps it', async () => {
    const before = workers.tasks('jacobians')
    const r = await call<InputJacobians>(service, 'inputs.jacobians', { ...ref(), input: 5 })
    const [listed] = (
      await call<HeldOutInputs>(service, 'inputs.list', { ...ref(), offset: 5, limit: 1 })
    ).inputs
    expect([r.input, r.label, r.prediction]).toEqual([5, listed.label, listed.prediction])
    expect(r.prediction).toBe(r.logits.indexOf(Math.max(...r.logits)))
    expect([r.transform, r.measure, r.nearZeroThreshold]).toEqual(['rotation', 'lp', 0.01])
    expect(r.image.shape).toEqual([28, 28])
    expect(r.layers.map((l) => l.shape)).toEqual([
      [12, 784],
      [8, 12],
      [10, 8],
    ])
    for (const l of r.layers) {
      for (const basis of [l.neuron, l.learned]) {
        expect(basis.jacobian.shape).toEqual(l.shape)
        const data = values(basis.jacobian)
        expect(data).toHaveLength(l.shape[0] * l.shape[1])
        expect(basis.maxAbs).toBeCloseTo(Math.max(...data.map(Math.abs)), 6)
        expect(basis.metrics.nearZero).toBeCloseTo(nearZeroOf(data, 0.01), 12)
      }
    }
    // The hidden spaces were rotated, so the hidden layers' J differ between the bases.
    const [l1, l2] = r.layers
    expect(values(l1.learned.jacobian)).not.toEqual(values(l1.neuron.jacobian))
    expect(values(l2.learned.jacobian)).not.toEqual(values(l2.neuron.jacobian))

    const again = await call<InputJacobians>(service, 'inputs.jacobians', { ...ref(), input: 5 })
    expect(again).toEqual(r)
    expect(workers.tasks('jacobians')).toBe(before + 1)
  })

  it('ranks inputs by the gain the learned basis brings, in one kept pass with progress', async () => {
    const before = workers.tasks('sparsity')
    const gained = await call<MostChanged>(service, 'inputs.mostChanged', {
      ...ref(),
      layer: 1,
      limit: 10,
    })
    expect(gained).toMatchObject({ layer: 1, metric: 'nearZero', order: 'gained', total: 100 })
    expect(gained.gained + gained.lost).toBeLessThanOrEqual(100)
    const gains = gained.inputs.map((i) => i.gain)
    expect(gains).toEqual([...gains].sort((a, b) => b - a))
    expect(gained.pixels.shape).toEqual([10, 784])
    // The batched pass and the single-input answer agree on each input's metric.
    for (const i of gained.inputs.slice(0, 3)) {
      const one = await call<InputJacobians>(service, 'inputs.jacobians', {
        ...ref(),
        input: i.input,
      })
      expect(one.layers[0].neuron.metrics.nearZero).toBeCloseTo(i.neuron, 9)
      expect(one.layers[0].learned.metrics.nearZero).toBeCloseTo(i.learned, 9)
    }
    const lost = await call<MostChanged>(service, 'inputs.mostChanged', {
      ...ref(),
      layer: 1,
      order: 'lost',
      metric: 'hoyerSparsity',
    })
    const lostGains = lost.inputs.map((i) => i.gain)
    expect(lostGains).toEqual([...lostGains].sort((a, b) => a - b))
    expect(workers.tasks('sparsity')).toBe(before + 1)
    const progress = events.filter(
      (m) => m.event === 'inputs.progress' && m.payload.runId === ids.done,
    )
    expect(progress.at(-1)?.payload).toMatchObject({ layer: 1, fraction: 1 })
    expect(
      await call(service, 'inputs.cancelRanking', { ...ref(), layer: 1 }),
      'nothing left to cancel',
    ).toBe(false)
  })

  it('names the field of a bad request', async () => {
    const cases: [string, unknown, string, RegExp][] = [
      [
        'inputs.jacobians',
        { ...ref(), input: 100 },
        'INVALID_ARGUMENT',
        /^input: 100 is not a held-out input of run \d+; it has 100 \(0–99\)/,
      ],
      ['inputs.jacobians', { ...ref(), input: -1 }, 'BAD_REQUEST', /input: /],
      ['inputs.jacobians', { ...ref(), input: 0.5 }, 'BAD_REQUEST', /input: /],
      [
        'inputs.list',
        { ...ref(), label: 10 },
        'INVALID_ARGUMENT',
        /^label: 10 is not a class of this dataset \(0–9\)/,
      ],
      ['inputs.list', { ...ref(), limit: 501 }, 'BAD_REQUEST', /limit: /],
      [
        'inputs.mostChanged',
        { ...ref(), layer: 3 },
        'INVALID_ARGUMENT',
        /^layer: 3 is the logit layer/,
      ],
      [
        'inputs.mostChanged',
        { ...ref(), layer: 4 },
        'INVALID_ARGUMENT',
        /^layer: 4 is not a layer of this model; it has layers 1–3/,
      ],
      ['inputs.mostChanged', { ...ref(), layer: 1, metric: 'fanIn' }, 'BAD_REQUEST', /metric: /],
      [
        'inputs.jacobians',
        { project: project.id, runId: ids.failed, input: 0 },
        'NOT_FOUND',
        /has no learned bases to explore \(the run failed: /,
      ],
      ['inputs.jacobians', { project: project.id, runId: 999, input: 0 }, 'NOT_FOUND', /run 999/],
    ]
    for (const [command, params, code, message] of cases) {
      const reply = await ask(service, command, params)
      expect(reply.ok, `${command} ${JSON.stringify(params)}`).toBe(false)
      if (reply.ok) continue
      expect(reply.error.code, `${command} ${JSON.stringify(params)}`).toBe(code)
      expect(reply.error.message).toMatch(message)
    }
  })

  it('survives its worker dying: the next request starts a fresh one', async () => {
    const explore = workers.sent.find((s) => s.message.type === 'task')!.worker
    workers.handles[explore].kill()
    await new Promise((r) => setTimeout(r, 300))
    const r = await call<InputJacobians>(service, 'inputs.jacobians', { ...ref(), input: 42 })
    expect(r.input).toBe(42)
    expect(workers.sent.filter((s) => s.message.type === 'task').at(-1)!.worker).not.toBe(explore)
  })
})
