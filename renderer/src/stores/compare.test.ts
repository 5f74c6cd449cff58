// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiClient, setApiClient } from '../api/client.ts'
import { configCellText, sharedMax, useCompareStore } from './compare.ts'
import { fakeTransport } from '../test/fake-transport.ts'

const P = '/ws/study.basiscope'

function backend() {
  const artifacts: Record<number, { id: number; kind: string; name: string; meta: object }[]> = {
    1: [
      { id: 11, kind: 'mean-abs-jacobian', name: 'layer1.learned', meta: { layer: 1 } },
      { id: 12, kind: 'mean-abs-jacobian', name: 'layer2.learned', meta: { layer: 2 } },
    ],
    2: [
      { id: 21, kind: 'mean-abs-jacobian', name: 'layer1.learned', meta: { layer: 1 } },
      { id: 22, kind: 'mean-abs-jacobian', name: 'layer2.learned', meta: { layer: 2 } },
    ],
  }
  const tensors: Record<number, number[]> = {
    11: [0, 1, 2, 3],
    12: [0, 0.5, 0.5, 0],
    21: [0, 9, 2, 3],
    22: [4, 0, 0, 1],
  }
  const summary = {
    rotation: { layers: [{ layer: 1 }, { layer: 2 }, { layer: 3 }] },
    model: { trainHistory: [] },
  }
  return fakeTransport({
    'runs.compare': ({ runIds }) => ({
      runs: (runIds as number[]).map((id) => ({ id, name: `run ${id}`, status: 'completed' })),
      configDiff: [{ path: 'rotation.optimizer.name', values: ['seed-gd', 'riemannian-adam'] }],
      configTable: [
        { path: 'model.epochs', values: [8, 8], differs: false },
        { path: 'rotation.optimizer.name', values: ['seed-gd', 'riemannian-adam'], differs: true },
      ],
      metrics: [{ key: 'testAccuracy', values: [0.9, 0.91] }],
      bases: [],
      withoutResults: [],
    }),
    'runs.get': () => ({ run: {}, summary }),
    'artifacts.list': ({ runId }) => artifacts[runId as number],
    'runs.metrics': () => ({ 'objective.layer1': [{ step: 0, wallTime: 0, value: 3 }] }),
    'artifacts.get': ({ artifactId }) => ({
      info: {},
      tensor: { dtype: 'float32', shape: [2, 2], data: tensors[artifactId as number] },
    }),
  })
}

describe('useCompareStore', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('loads the comparison and the same layer of every run on one color scale', async () => {
    const fake = backend()
    setApiClient(new ApiClient(fake.transport))
    const store = useCompareStore()
    await store.load(P, [1, 2])
    expect(store.error).toBeNull()
    expect(store.layers).toEqual([1, 2, 3])
    expect(store.heatmaps.map((h) => h.runId)).toEqual([1, 2])
    expect(store.colorMax).toBe(9)
    // Only differences by default; the switch shows every field.
    expect(store.configRows.map((r) => r.path)).toEqual(['rotation.optimizer.name'])
    store.onlyDifferences = false
    expect(store.configRows).toHaveLength(2)

    await store.setLayer(2)
    expect(fake.callsOf('artifacts.get').map((p) => p.artifactId)).toEqual([11, 21, 12, 22])
    expect(store.colorMax).toBe(4)
  })

  it('shows the backend’s error where the comparison failed', async () => {
    setApiClient(
      new ApiClient(
        fakeTransport({
          'runs.compare': () => {
            throw { code: 'NOT_FOUND', message: '/ws/study.basiscope: no run 7' }
          },
        }).transport,
      ),
    )
    const store = useCompareStore()
    await store.load(P, [1, 7])
    expect(store.error).toBe('/ws/study.basiscope: no run 7')
    expect(store.comparison).toBeNull()
  })

  it('sharedMax spans all maps', () => {
    expect(sharedMax([{ data: [1, 5] }, { data: new Float32Array([7, 2]) }])).toBe(7)
    expect(sharedMax([])).toBe(0)
  })

  it('keeps the good runs whole when one of them failed, with the backend’s similarity', async () => {
    const heatmap = (id: number) => ({
      id,
      kind: 'mean-abs-jacobian',
      name: 'layer1.learned',
      meta: { layer: 1, basis: 'learned' },
    })
    const artifacts: Record<number, object[]> = {
      1: [{ id: 10, kind: 'rotation', name: 'R1', meta: { space: 1 } }, heatmap(11)],
      2: [{ id: 20, kind: 'rotation', name: 'R1', meta: { space: 1 } }, heatmap(21)],
      3: [],
    }
    const summary = {
      rotation: { layers: [{ layer: 1 }, { layer: 2 }] },
      model: { trainHistory: [] },
    }
    const identity = (meanAbsCos: number) => ({ meanAbsCos, permutationDistance: 0 })
    const fake = fakeTransport({
      // As the backend does: the runs with bases compared in full, the others listed apart.
      'runs.compare': ({ runIds }) => ({
        runs: (runIds as number[]).map((id) => ({
          id,
          name: `run ${id}`,
          status: id === 3 ? 'failed' : 'completed',
        })),
        configDiff: [],
        configTable: [],
        metrics: [],
        bases: [
          {
            space: 1,
            size: 2,
            chance: 0.6,
            runs: [
              { runId: 1, transform: 'rotation', identity: identity(1) },
              { runId: 2, transform: 'rotation', identity: identity(0.8) },
            ],
            pairs: [{ a: 1, b: 2, meanAbsCos: 0.9, permutationDistance: 0.1 }],
          },
        ],
        withoutResults: [{ runId: 3, status: 'failed', reason: 'it failed before saving bases' }],
      }),
      'runs.get': ({ runId }) => ({ run: {}, summary: runId === 3 ? null : summary }),
      'artifacts.list': ({ runId }) => artifacts[runId as number],
      'runs.metrics': ({ runId }) =>
        runId === 3 ? {} : { 'objective.layer1': [{ step: 1, wallTime: 0, value: 3 }] },
      'artifacts.get': () => ({
        info: {},
        tensor: { dtype: 'float32', shape: [1, 2], data: [1, 2] },
      }),
    })
    setApiClient(new ApiClient(fake.transport))
    const store = useCompareStore()
    await store.load(P, [1, 2, 3])
    expect(store.error).toBeNull()
    // One comparison: the similarity and each run's agreement with the neurons come from it.
    expect(fake.callsOf('runs.compare').map((c) => c.runIds)).toEqual([[1, 2, 3]])
    expect(store.comparison!.bases[0].runs.map((r) => r.identity.meanAbsCos)).toEqual([1, 0.8])
    expect(store.basesAmong).toEqual([1, 2])
    expect(store.withoutResults.map((w) => w.runId)).toEqual([3])
    // No basis tensors are fetched to recompute what the backend reported.
    expect(fake.callsOf('artifacts.get').map((c) => c.artifactId)).toEqual([11, 21])
    // The layer picker has the good runs' layers, and their heatmaps are drawn.
    expect(store.layers).toEqual([1, 2])
    expect(store.heatmaps.map((h) => h.runId)).toEqual([1, 2])
    expect(store.heatmapsMissing).toEqual([3])
    expect(store.curves[0]['objective.layer1']).toHaveLength(1)
  })

  it('reads a parent config row as on or off, never a dash', () => {
    const rows = [
      { path: 'analyses.faithfulness', values: [null, null] },
      { path: 'analyses.faithfulness.points', values: [16, null] },
      { path: 'evaluation.heldOutSamples', values: [null, 200] },
    ]
    expect(configCellText(rows, rows[0], 0)).toBe('on')
    expect(configCellText(rows, rows[0], 1)).toBe('off')
    expect(configCellText(rows, rows[1], 0)).toBe('16')
    expect(configCellText(rows, rows[1], 1)).toBe('—')
    expect(configCellText(rows, rows[2], 0)).toBe('—')
  })

  it('lists an analysis on in one run and off in another among the differences', async () => {
    const rows = [
      { path: 'analyses.circuit', values: [null, null], differs: false },
      { path: 'analyses.circuit.edgesPerLayer', values: [64, null], differs: true },
      { path: 'analyses.features', values: [null, null], differs: false },
      { path: 'analyses.features.top', values: [9, 9], differs: false },
      { path: 'seed', values: [0, 0], differs: false },
    ]
    const fake = fakeTransport({
      'runs.compare': () => ({
        runs: [1, 2].map((id) => ({ id, name: `run ${id}`, status: 'completed' })),
        configDiff: [],
        configTable: rows,
        metrics: [],
        bases: [],
        withoutResults: [],
      }),
      'runs.get': () => ({ run: {}, summary: null }),
      'artifacts.list': () => [],
      'runs.metrics': () => ({}),
    })
    setApiClient(new ApiClient(fake.transport))
    const store = useCompareStore()
    await store.load(P, [1, 2])
    expect(store.configRows.map((r) => r.path)).toEqual([
      'analyses.circuit',
      'analyses.circuit.edgesPerLayer',
    ])
    expect(store.configRows.every((r) => r.differs)).toBe(true)
    store.onlyDifferences = false
    expect(store.configRows).toHaveLength(5)
  })
})
