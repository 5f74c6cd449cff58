import { beforeAll, describe, expect, it } from 'vitest'
import { initCompute } from '../backend/compute.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import { mat } from '../linalg/matrix.ts'
import { layerMetrics } from './layer-metrics.ts'
import { asLayer } from '../model/indices.ts'

// W = [[2, 0.02], [−200, 0]] (values off the bin edges: float32 0.01 is just below 1e-2); input 0 keeps both rows (D = I), input 1 zeroes row 0.
const hidden: LayerData = {
  layer: asLayer(1),
  inDim: 2,
  outDim: 2,
  weight: Float32Array.from([2, 0.02, -200, 0]),
  derivatives: Float32Array.from([1, 1, 0, 1]),
  n: 2,
}
const spec = { log10Min: -3, log10Max: 3, bins: 6 }

describe('layerMetrics |J| histogram', () => {
  beforeAll(async () => {
    await initCompute()
  })

  it('counts every entry of every input in the neuron basis', () => {
    const m = layerMetrics(hidden, null, null, [], undefined, { histogram: spec })
    // J(x0) = W: 2 → [1,10), 0.02 → [0.01,0.1), 200 → [100,1000), 0 → zeros.
    // J(x1) = [[0, 0], [−200, 0]]: three zeros, 200 → [100,1000).
    expect(m.histogram).toEqual({
      log10Min: -3,
      log10Max: 3,
      samples: 2,
      zeros: 4,
      below: 0,
      counts: [0, 1, 0, 1, 0, 2],
    })
    expect(m.meanAbs).toBeNull()
  })

  it('sees the same matrix in a rotated basis, and is off unless asked for', () => {
    // Swapping the outputs only permutes entries: the histogram is the same.
    const swap = mat(2, 2, [0, 1, 1, 0])
    const m = layerMetrics(hidden, null, swap, [], undefined, { histogram: spec })
    expect(m.histogram!.counts).toEqual([0, 1, 0, 1, 0, 2])
    expect(m.histogram!.zeros).toBe(4)
    expect(layerMetrics(hidden, null, null, []).histogram).toBeNull()
  })

  it('counts the logit layer (one J for all inputs) once per input', () => {
    const logit: LayerData = { ...hidden, derivatives: null, n: 5 }
    const m = layerMetrics(logit, null, null, [], undefined, { histogram: spec })
    expect(m.histogram!.counts).toEqual([0, 5, 0, 5, 0, 5])
    expect(m.histogram!.zeros).toBe(5)
    const total = m.histogram!.zeros + m.histogram!.counts.reduce((a, b) => a + b, 0)
    expect(total).toBe(5 * 4)
  })
})

describe('layerMetrics progress', () => {
  beforeAll(async () => {
    await initCompute()
  })

  it('tells after each chunk how many inputs are done, ending with all of them', () => {
    // 128 × 784 entries an input: several chunks over 600 inputs on every backend.
    const n = 600
    const [rows, cols] = [128, 784]
    const data: LayerData = {
      layer: asLayer(1),
      inDim: cols,
      outDim: rows,
      weight: Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i)),
      derivatives: Float32Array.from({ length: n * rows }, (_, i) => (i % 3 ? 1 : 0)),
      n,
    }
    const done: number[] = []
    layerMetrics(data, null, null, [], undefined, { onInputs: (d) => done.push(d) })
    expect(done.length).toBeGreaterThan(1)
    expect(done.at(-1)).toBe(n)
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThan(done[i - 1])
  })
})
