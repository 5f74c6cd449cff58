// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiClient, setApiClient } from '../api/client.ts'
import { GRID_PAGE, useExplorerStore } from './explorer.ts'
import { fakeTransport, flush } from '../test/fake-transport.ts'

const P = '/ws/study.basiscope'
/** Float32 values as the backend packs them. */
function packed(values: number[]) {
  const bytes = new Uint8Array(Float32Array.from(values).buffer)
  return { dtype: 'float32', shape: [2, 2], base64: btoa(String.fromCharCode(...bytes)) }
}
const metrics = (nearZero: number) => ({ nearZero, hoyerSparsity: 0.5, measure: 3, fanIn: 2 })

function jacobians(input: number) {
  const map = (nearZero: number) => ({
    jacobian: packed([input, 0, 0, 1]),
    maxAbs: Math.max(input, 1),
    metrics: metrics(nearZero),
  })
  return {
    runId: 1,
    input,
    datasetIndex: 100 + input,
    label: input % 10,
    prediction: input % 10,
    logits: [0, 1],
    image: { dtype: 'float32', shape: [2, 2], data: [0, 0.5, 1, 0] },
    transform: 'rotation',
    nearZeroThreshold: 0.01,
    measure: 'lp',
    layers: [{ layer: 1, shape: [2, 2], neuron: map(0.25), learned: map(0.5) }],
  }
}

function backend(options: { delays?: Record<number, number>; missing?: boolean } = {}) {
  const page = (params: Record<string, unknown>) => {
    const label = params.label as number | undefined
    const inputs = Array.from({ length: 3 }, (_, i) => ({
      input: (params.offset as number) + i,
      label: label ?? i,
      prediction: i,
    }))
    return {
      total: 200,
      matching: label === undefined ? 200 : 20,
      width: 2,
      height: 2,
      classes: 10,
      classCounts: new Array(10).fill(20),
      inputs,
      pixels: { dtype: 'uint8', shape: [3, 4], data: new Array(12).fill(255) },
    }
  }
  let cancel: (() => void) | null = null
  const fake = fakeTransport({
    'inputs.list': (p) => {
      if (options.missing)
        throw { code: 'NOT_FOUND', message: 'run 1 has no learned bases to explore' }
      return page(p)
    },
    'inputs.jacobians': async (p) => {
      const input = p.input as number
      await new Promise((r) => setTimeout(r, options.delays?.[input] ?? 0))
      return jacobians(input)
    },
    'inputs.mostChanged': (p) =>
      new Promise((resolve, reject) => {
        cancel = () => reject({ code: 'CANCELLED', message: 'ranking cancelled' })
        fake.emit({
          event: 'inputs.progress',
          payload: {
            project: P,
            projectId: 'x',
            runId: 1,
            layer: p.layer as number,
            fraction: 0.5,
            etaSeconds: 2,
          },
        })
        if (p.layer === 2) return
        resolve({
          layer: p.layer,
          metric: p.metric,
          order: p.order,
          total: 200,
          meanGain: 0.1,
          gained: 150,
          lost: 40,
          inputs: [{ input: 7, label: 7, prediction: 7, neuron: 0.1, learned: 0.4, gain: 0.3 }],
          pixels: { dtype: 'uint8', shape: [1, 4], data: [0, 1, 2, 3] },
          width: 2,
          height: 2,
        })
      }),
    'inputs.cancelRanking': () => {
      cancel?.()
      return true
    },
  })
  setApiClient(new ApiClient(fake.transport))
  return fake
}

describe('useExplorerStore', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('opens on a run with its first page of digits and the first one picked', async () => {
    const fake = backend()
    const store = useExplorerStore()
    await store.open(P, 1)
    expect(fake.callsOf('inputs.list')).toEqual([
      { project: P, runId: 1, offset: 0, limit: GRID_PAGE },
    ])
    expect(store.page?.items.map((i) => i.input)).toEqual([0, 1, 2])
    expect(store.page?.pixels).toBeInstanceOf(Uint8Array)
    expect(store.counts).toMatchObject({ total: 200, matching: 200 })
    expect(store.selected).toBe(0)
    expect(Array.from(store.input!.layers[0].learned.data)).toEqual([0, 0, 0, 1])
    expect(store.input?.layers[0].learned.metrics.nearZero).toBe(0.5)
    expect([store.input?.width, store.input?.height]).toEqual([2, 2])
  })

  it('pages by class, and keeps the last pick when answers come back out of order', async () => {
    const fake = backend({ delays: { 4: 30 } })
    const store = useExplorerStore()
    await store.open(P, 1)
    await store.setLabel(3)
    expect(fake.callsOf('inputs.list').at(-1)).toMatchObject({ label: 3, offset: 0 })
    await store.setOffset(GRID_PAGE)
    expect(fake.callsOf('inputs.list').at(-1)).toMatchObject({ label: 3, offset: GRID_PAGE })
    const slow = store.select(4)
    await store.select(5)
    await slow
    expect(store.selected).toBe(5)
    expect(store.input?.input).toBe(5)
    expect(store.loadingInput).toBe(false)
  })

  it('says a run without bases cannot be explored', async () => {
    backend({ missing: true })
    const store = useExplorerStore()
    await store.open(P, 1)
    expect(store.unavailable).toMatch(/no learned bases/)
    expect(store.pageError).toBeNull()
  })

  it('ranks with progress from the backend’s events, and can be cancelled', async () => {
    backend()
    const store = useExplorerStore()
    await store.open(P, 1)
    await store.rank(1, 'nearZero', 'gained')
    expect(store.ranking?.items.map((i) => i.gain)).toEqual([0.3])
    expect(store.rankingProgress).toBeNull()

    const pending = store.rank(2, 'hoyerSparsity', 'lost')
    await flush()
    expect(store.rankingProgress).toEqual({ fraction: 0.5, etaSeconds: 2 })
    expect(store.rankingBusy).toBe(true)
    await store.cancelRanking()
    await pending
    expect(store.rankingError).toBe('Ranking cancelled.')
    expect(store.rankingBusy).toBe(false)
  })
})
