import { beforeAll, describe, expect, it } from 'vitest'
import { gaussian, randomMlp } from '../../test/helpers/random.ts'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { type Mat, axpby, identity, mat, matmul, transpose } from '../linalg/matrix.ts'
import { argmaxRows, predictLogits } from '../model/forward.ts'
import type { MlpParams } from '../model/mlp.ts'
import { createRng } from '../random/prng.ts'
import { inverse } from '../rotation/oblique/manifold.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import { propagate } from './activations.ts'
import {
  type Ablation,
  connectionCounts,
  directionImportance,
  edgeAblation,
  fewestConnections,
  fewestKept,
  nodeAblation,
  targetAccuracy,
} from './faithfulness.ts'

beforeAll(async () => {
  await initCompute()
})

/** An ablation from a plain function of k, counting how often it is evaluated. */
function scripted(total: number, accuracyAt: (k: number) => number) {
  const calls: number[] = []
  const ablation: Ablation = {
    total,
    at: (k) => {
      calls.push(k)
      return accuracyAt(k)
    },
    evaluated: () => [],
  }
  return { ablation, calls }
}

describe('fewestKept (bisection on the number kept)', () => {
  it('finds the threshold of a step exactly, in about log2(total) evaluations', () => {
    for (const step of [1, 37, 999, 1000]) {
      const { ablation, calls } = scripted(1000, (k) => (k >= step ? 0.9 : 0.5))
      expect(fewestKept(ablation, 0.89)).toBe(step)
      expect(calls.length).toBeLessThanOrEqual(Math.ceil(Math.log2(1000)) + 2)
    }
  })

  it('starts from the curve: the answer is the first crossing below its first passing point', () => {
    // Passes from 20 on, but for a dip at 50, and at a lucky 5 below the bracket.
    const acc = (k: number) => (k === 5 || (k >= 20 && k !== 50) ? 1 : 0)
    const curve = [1, 16, 64, 256].map((k) => ({ k, accuracy: acc(k) }))
    const { ablation, calls } = scripted(256, acc)
    expect(fewestKept(ablation, 0.5, curve)).toBe(20)
    // The known points are not evaluated again, and the search stays inside (16, 64].
    for (const k of calls) {
      expect(k).toBeGreaterThan(16)
      expect(k).toBeLessThan(64)
    }
    // Never more than the curve alone says.
    expect(fewestConnections(curve, 1, 0.5)).toBe(64)
  })

  it('returns 0 when nothing needs keeping, and null when even everything fails', () => {
    expect(fewestKept(scripted(10, () => 1).ablation, 0.9)).toBe(0)
    expect(fewestKept(scripted(10, () => 0.5).ablation, 0.9)).toBeNull()
  })
})

const N = 400

/**
 * [5, 6, 3] relu whose logit layer is sparse in a hidden basis R of space 1:
 * W_2 = S·R, S with exactly the planted entries. Labels are the network's own predictions.
 */
function plantedInBasis(planted: readonly [number, number, number][]) {
  const rng = createRng(91)
  const base = randomMlp([5, 6, 3], 'relu', rng)
  const r = haarRotation(6, rng)
  const s = mat(3, 6)
  for (const [i, j, v] of planted) s.data[i * 6 + j] = v
  const w2 = Float32Array.from(matmul(s, r).data)
  const params: MlpParams = {
    ...base,
    layers: [base.layers[0], { ...base.layers[1], weight: w2, bias: new Float32Array(3) }],
  }
  const x = Float32Array.from({ length: N * 5 }, () => rng.normal())
  const labels = argmaxRows(predictLogits(params, x, N), N, 3)
  return { params, x, labels, bases: [null, r, null] as (Mat | null)[] }
}

const EDGES: [number, number, number][] = [
  [0, 0, 2.0],
  [0, 3, -1.6],
  [1, 1, 1.8],
  [1, 4, 1.4],
  [2, 2, -1.7],
  [2, 5, 1.5],
  [2, 0, 1.2],
]

describe('exact edge ablation', () => {
  it('counts exactly the connections planted in a hidden basis, at both tolerances', () => {
    const { params, x, labels, bases } = plantedInBasis(EDGES)
    const data = layerData(params, x, N)[1]
    const ranking = layerMetrics(data, bases[1], bases[2], [], undefined, {
      meanAbs: true,
    }).meanAbs!
    const edges = edgeAblation(params, bases, 2, ranking, x, labels)
    // Every planted connection is needed, and they are enough.
    expect(edges.at(EDGES.length)).toBe(1)
    expect(edges.at(EDGES.length - 1)).toBeLessThan(1 - 0.01)
    const curve = [1, 4, 12, 18].map((k) => ({ k, accuracy: edges.at(k) }))
    for (const t of [0.01, 0.001]) {
      expect(fewestKept(edges, targetAccuracy(1, t), curve)).toBe(EDGES.length)
    }
    // The grid alone overshoots.
    expect(fewestConnections(curve, 1, 0.001)).toBeGreaterThan(EDGES.length)
    // In the neuron basis the same layer is dense: many more connections are needed.
    const dense = edgeAblation(
      params,
      [null, null, null],
      2,
      layerMetrics(data, null, null, [], undefined, { meanAbs: true }).meanAbs!,
      x,
      labels,
    )
    expect(fewestKept(dense, targetAccuracy(1, 0.001))!).toBeGreaterThan(EDGES.length)
  })

  it('bisection finds the same k as a brute-force scan on a small layer', () => {
    const rng = createRng(92)
    const params = randomMlp([6, 5, 4], 'tanh', rng)
    const bases = [haarRotation(6, rng), haarRotation(5, rng), null]
    const n = 300
    const x = Float32Array.from({ length: n * 6 }, () => rng.normal())
    const labels = argmaxRows(predictLogits(params, x, n), n, 4)
    for (const layer of [1, 2]) {
      const data = layerData(params, x, n)[layer - 1]
      const ranking = layerMetrics(data, bases[layer - 1], bases[layer], [], undefined, {
        meanAbs: true,
      }).meanAbs!
      const edges = edgeAblation(params, bases, layer, ranking, x, labels)
      const total = edges.total
      const scan = Array.from({ length: total + 1 }, (_, k) => edges.at(k))
      for (const t of [0.05, 0.01, 0.001]) {
        const target = targetAccuracy(1, t)
        const brute = scan.findIndex((a) => a >= target)
        const curve = connectionCounts(total, 5).map((k) => ({ k, accuracy: scan[k] }))
        expect(fewestKept(edges, target, curve), `layer ${layer}, tolerance ${t}`).toBe(brute)
      }
    }
  })
})

describe('node ablation', () => {
  /** The documented ablated network in float64: a_s ↦ T⁻¹·P_k·T·a_s before layer s + 1. */
  function nodeAblated64(
    params: MlpParams,
    t: Mat,
    space: number,
    keep: readonly number[],
    x: Float32Array,
    n: number,
  ): number[] {
    const below = propagate(params, 0, space, x, n)
    const d = params.sizes[space]
    const tInv = inverse(t)
    const projected = new Float32Array(n * d)
    for (let s = 0; s < n; s++) {
      const a = Array.from(below.subarray(s * d, (s + 1) * d))
      const coords = a.map((_, i) => a.reduce((acc, v, j) => acc + t.data[i * d + j] * v, 0))
      for (let j = 0; j < d; j++) {
        projected[s * d + j] = keep.reduce((acc, i) => acc + tInv.data[j * d + i] * coords[i], 0)
      }
    }
    return Array.from(propagate(params, space, params.layers.length, projected, n))
  }

  it('zeroes directions of an oblique basis exactly as defined, and keeps all of them = the network', () => {
    const rng = createRng(93)
    const params = randomMlp([4, 6, 5, 3], 'tanh', rng)
    const t = axpby(1, identity(6), 0.5, gaussian(6, 6, rng))
    const out = [null, t, null, null]
    const inn = [null, transpose(inverse(t)), null, null]
    const n = 20
    const x = Float32Array.from({ length: n * 4 }, () => rng.normal())
    const labels = argmaxRows(predictLogits(params, x, n), n, 3)
    const importance = [0.5, 3, 1, 0, 2, 0.1]
    const nodes = nodeAblation(params, out, 1, importance, x, labels, inn)
    expect(nodes.at(6)).toBe(1)
    // Keeping 3: directions 1, 4, 2 by importance.
    const logits = nodeAblated64(params, t, 1, [1, 4, 2], x, n)
    const expected = argmaxRows(Float32Array.from(logits), n, 3)
    const agree = expected.reduce((s, c, i) => s + (c === labels[i] ? 1 : 0), 0) / n
    expect(nodes.at(3)).toBeCloseTo(agree, 10)
    expect(nodes.evaluated().map((p) => p.k)).toEqual([3, 6])
  })

  it('counts exactly the directions a planted circuit uses, ranked by their importance', () => {
    // The logits read only directions 0, 2 and 3 of R (columns of S).
    const used: [number, number, number][] = [
      [0, 0, 1.8],
      [1, 0, -1.1],
      [1, 2, 1.6],
      [2, 2, -0.9],
      [2, 3, 1.7],
      [0, 3, 0.8],
    ]
    const { params, x, labels, bases } = plantedInBasis(used)
    const importance = directionImportance(params, bases, 1, x, N)
    for (const j of [1, 4, 5]) expect(importance[j]).toBeLessThan(1e-5)
    for (const j of [0, 2, 3]) expect(importance[j]).toBeGreaterThan(0.1)
    const nodes = nodeAblation(params, bases, 1, importance, x, labels)
    expect(nodes.at(2)).toBeLessThan(1 - 0.01)
    for (const t of [0.01, 0.001]) expect(fewestKept(nodes, targetAccuracy(1, t))).toBe(3)
  })

  it('importance is the mean |ã_i| times the reading column norm, unchanged by rescaling a direction', () => {
    const rng = createRng(94)
    const params = randomMlp([4, 5, 3], 'relu', rng)
    const t = axpby(1, identity(5), 0.4, gaussian(5, 5, rng))
    const n = 50
    const x = Float32Array.from({ length: n * 4 }, () => rng.normal())
    const sides = (m: Mat) => ({ out: [null, m, null], in: [null, transpose(inverse(m)), null] })
    const a = sides(t)
    const got = directionImportance(params, a.out, 1, x, n, a.in)
    // By hand: ã = T·a, column i of W_2·T⁻¹.
    const acts = propagate(params, 0, 1, x, n)
    const w = mat(3, 5, params.layers[1].weight)
    const cols = matmul(w, inverse(t))
    const hand = Array.from({ length: 5 }, (_, i) => {
      let mean = 0
      for (let s = 0; s < n; s++) {
        let v = 0
        for (let j = 0; j < 5; j++) v += t.data[i * 5 + j] * acts[s * 5 + j]
        mean += Math.abs(v) / n
      }
      let norm = 0
      for (let o = 0; o < 3; o++) norm += cols.data[o * 5 + i] ** 2
      return mean * Math.sqrt(norm)
    })
    expectAllClose(got, hand, { rtol: 1e-5 })
    const scaled = mat(5, 5, t.data)
    for (let j = 0; j < 5; j++) scaled.data[2 * 5 + j] *= 1000
    const b = sides(scaled)
    expectAllClose(directionImportance(params, b.out, 1, x, n, b.in), got, { rtol: 1e-4 })
  })
})
