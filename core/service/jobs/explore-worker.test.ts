import { beforeAll, describe, expect, it } from 'vitest'
import { randomMlp } from '../../../test/helpers/random.ts'
import { initCompute } from '../../backend/compute.ts'
import { parseRunConfig } from '../../experiment/config.ts'
import { loadRunData } from '../../experiment/run-data.ts'
import { transpose } from '../../linalg/matrix.ts'
import { argmaxRows, predictLogits } from '../../model/forward.ts'
import { createRng } from '../../random/prng.ts'
import { haarRotation } from '../../rotation/retraction.ts'
import type { BasisChange } from '../../rotation/transform.ts'
import type { HeldOutIndex, InputJacobiansResult, RunSource } from '../../experiment/explore.ts'
import type { ExploreTask } from './explore-protocol.ts'
import { ExploreTasks } from './explore-worker.ts'
import type { FromWorker } from './protocol.ts'

const config = {
  data: { source: 'mnist-embedded', split: { kind: 'random', train: 200, test: 60, seed: 3 } },
  model: { source: 'train', hidden: [8, 6] },
  rotation: { samples: 40 },
  evaluation: { heldOutSamples: 50 },
}

function source(overrides: Partial<RunSource> = {}): RunSource {
  const rng = createRng(4)
  const params = randomMlp([784, 8, 6, 10], 'relu', rng)
  const rotation = (n: number): BasisChange => {
    const r = haarRotation(n, rng)
    return { kind: 'rotation', forward: r, inverse: transpose(r) }
  }
  return {
    key: 'test:1',
    runId: 1,
    config,
    baseDir: '/',
    datasetSha256: null,
    params,
    changes: [null, rotation(8), rotation(6), null],
    ...overrides,
  }
}

/** An ExploreTasks whose messages are collected, and a way to await one task's end. */
function worker() {
  const messages: FromWorker[] = []
  const tasks = new ExploreTasks((m) => messages.push(m))
  let next = 1
  const run = async (task: ExploreTask, before?: (taskId: number) => void) => {
    const taskId = next++
    const done = tasks.run(taskId, task)
    before?.(taskId)
    await done
    const end = messages.find(
      (m) => (m.type === 'task-done' || m.type === 'task-failed') && m.taskId === taskId,
    )
    if (!end || (end.type !== 'task-done' && end.type !== 'task-failed')) throw new Error('no end')
    return end
  }
  return { tasks, messages, run }
}

beforeAll(async () => {
  await initCompute()
})

describe('ExploreTasks (the explore worker)', () => {
  it('reproduces the run’s held-out inputs: labels, predictions and dataset indices', async () => {
    const src = source()
    const end = await worker().run({ kind: 'index', source: src })
    expect(end.type).toBe('task-done')
    const index = (end as { value: HeldOutIndex }).value
    const data = loadRunData(parseRunConfig(config), '/')
    expect(Array.from(index.labels)).toEqual(Array.from(data.yTest.subarray(0, 50)))
    expect(Array.from(index.datasetIndex)).toEqual(data.split.test.slice(0, 50))
    const logits = predictLogits(src.params, data.xTest.subarray(0, 50 * 784), 50)
    expect(Array.from(index.predictions)).toEqual(Array.from(argmaxRows(logits, 50, 10)))
    expect([index.width, index.height, index.classes, index.sizes]).toEqual([
      28,
      28,
      10,
      [784, 8, 6, 10],
    ])
  })

  it('answers one input with its pixels and every layer in both bases', async () => {
    const end = await worker().run({ kind: 'jacobians', source: source(), input: 7 })
    const r = (end as { value: InputJacobiansResult }).value
    const data = loadRunData(parseRunConfig(config), '/')
    expect(Array.from(r.pixels)).toEqual(Array.from(data.xTest.subarray(7 * 784, 8 * 784)))
    expect(r.layers.map((l) => [l.rows, l.cols, l.neuron.jacobian.length])).toEqual([
      [8, 784, 8 * 784],
      [6, 8, 48],
      [10, 6, 60],
    ])
    expect(r.measure).toBe('lp')
    expect(r.threshold).toBe(0.01)
  })

  it('stops a ranking pass on cancel', async () => {
    const w = worker()
    const end = await w.run({ kind: 'sparsity', source: source(), layer: 1 }, (id) =>
      w.tasks.cancel(id),
    )
    expect(end).toMatchObject({ type: 'task-failed', error: { code: 'CANCELLED' } })
  })

  it('ranks every held-out input and reports progress up to 1', async () => {
    const w = worker()
    const end = await w.run({ kind: 'sparsity', source: source(), layer: 2 })
    expect(end.type).toBe('task-done')
    const progress = w.messages.filter((m) => m.type === 'task-progress')
    expect(progress.at(-1)).toMatchObject({ fraction: 1 })
  })

  it.each([
    [
      { kind: 'jacobians', input: 50 },
      'INVALID_ARGUMENT',
      /input: 50 is not a held-out input; there are 50/,
    ],
    [{ kind: 'pixels', inputs: [0, -1] }, 'INVALID_ARGUMENT', /input: -1 is not a held-out input/],
    [{ kind: 'sparsity', layer: 3 }, 'INVALID_ARGUMENT', /layer: 3 is not a hidden layer.*logit/],
  ] as const)('refuses %j with %s', async (task, code, message) => {
    const end = await worker().run({ ...task, source: source() } as ExploreTask)
    expect(end).toMatchObject({ type: 'task-failed', error: { code } })
    expect((end as { error: { message: string } }).error.message).toMatch(message)
  })

  it('refuses a run whose data changed since it ran', async () => {
    const end = await worker().run({
      kind: 'index',
      source: source({ datasetSha256: 'ab'.repeat(32) }),
    })
    expect(end).toMatchObject({ type: 'task-failed', error: { code: 'INVALID_FILE' } })
    expect((end as { error: { message: string } }).error.message).toMatch(
      /changed since it ran .* cannot be reproduced/,
    )
  })
})
