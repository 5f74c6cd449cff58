import { beforeAll, describe, expect, it } from 'vitest'
import { gaussian, randomMlp } from '../../test/helpers/random.ts'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import { activateScalar } from '../model/activation.ts'
import { argmaxRows, predictLogits } from '../model/forward.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { type Mat, axpby, identity, mat, matmul } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import { createRng } from '../random/prng.ts'
import { normalizeColumns } from '../rotation/oblique/manifold.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { basisSides, transformOf } from '../rotation/transform.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import {
  ablatedAccuracy,
  ablatedLogits,
  ablatedWeight,
  connectionCounts,
  faithfulnessCurve,
  fewestConnections,
  rotatedWeight,
  topKMask,
} from './faithfulness.ts'

beforeAll(async () => {
  await initCompute()
})

const N = 400

/** [6, 5, 3] relu net whose first layer has exactly these 7 nonzero weights. */
const PLANTED: [number, number, number][] = [
  [0, 0, 1.5],
  [1, 1, -1.2],
  [2, 2, 1.0],
  [3, 3, 0.9],
  [4, 4, 1.3],
  [0, 5, 0.8],
  [2, 4, -0.7],
]

function plantedNetwork(): { params: MlpParams; x: Float32Array; labels: Int32Array } {
  const rng = createRng(51)
  const base = randomMlp([6, 5, 3], 'relu', rng)
  const w1 = new Float32Array(5 * 6)
  for (const [i, j, v] of PLANTED) w1[i * 6 + j] = v
  const layers = [
    { ...base.layers[0], weight: w1, bias: new Float32Array(5).fill(0.1) },
    base.layers[1],
  ]
  const params: MlpParams = { ...base, layers }
  const x = Float32Array.from({ length: N * 6 }, () => rng.normal())
  // Labels are the network's own predictions: the unablated accuracy is exactly 1.
  const labels = argmaxRows(predictLogits(params, x, N), N, 3)
  return { params, x, labels }
}

function meanAbsOf(
  params: MlpParams,
  x: Float32Array,
  layer: number,
  bases: (Mat | null)[],
): Float32Array {
  const data = layerData(params, x, N)[layer - 1]
  return layerMetrics(data, bases[layer - 1], bases[layer], [], undefined, { meanAbs: true })
    .meanAbs!
}

describe('faithfulness on a planted sparse layer (identity bases)', () => {
  const bases = [null, null, null]

  it('keeps full accuracy with exactly the planted connections, and needs each of them', () => {
    const { params, x, labels } = plantedNetwork()
    const meanAbs = meanAbsOf(params, x, 1, bases)
    const planted = new Uint8Array(30)
    for (const [i, j] of PLANTED) planted[i * 6 + j] = 1
    meanAbs.forEach((v, e) => (planted[e] ? expect(v).toBeGreaterThan(0) : expect(v).toBe(0)))
    const mask = topKMask(meanAbs, PLANTED.length)
    expect(Array.from(mask)).toEqual(Array.from(planted))
    expect(ablatedAccuracy(params, bases, 1, mask, x, labels)).toBe(1)
    for (const [i, j] of PLANTED) {
      const without = Uint8Array.from(mask)
      without[i * 6 + j] = 0
      expect(ablatedAccuracy(params, bases, 1, without, x, labels)).toBeLessThan(1)
    }
  })

  it('the curve reaches full accuracy at k = number of nonzeros, and not before', () => {
    const { params, x, labels } = plantedNetwork()
    const meanAbs = meanAbsOf(params, x, 1, bases)
    const ks = [1, 2, 3, 4, 5, 6, 7, 8, 12, 30]
    const curve = faithfulnessCurve(params, bases, 1, meanAbs, x, labels, ks)
    expect(curve.map((p) => p.k)).toEqual(ks)
    for (const p of curve) {
      if (p.k >= PLANTED.length) expect(p.accuracy).toBe(1)
      else expect(p.accuracy).toBeLessThan(1 - 0.001)
    }
    expect(fewestConnections(curve, 1, 0.001)).toBe(PLANTED.length)
    const loose = fewestConnections(curve, 1, 0.01)
    expect(loose).not.toBeNull()
    expect(loose!).toBeLessThanOrEqual(PLANTED.length)
    // Each point agrees with ablatedAccuracy on the same mask.
    for (const p of curve.slice(0, 4)) {
      expect(ablatedAccuracy(params, bases, 1, topKMask(meanAbs, p.k), x, labels)).toBe(p.accuracy)
    }
  })

  it('all-ones mask is the unablated network; all-zeros changes predictions', () => {
    const { params, x, labels } = plantedNetwork()
    const ones = new Uint8Array(30).fill(1)
    expectAllClose(ablatedLogits(params, bases, 1, ones, x, N), predictLogits(params, x, N), {
      atol: 1e-6,
    })
    expect(ablatedAccuracy(params, bases, 1, ones, x, labels)).toBe(1)
    const zeros = new Uint8Array(30)
    expect(ablatedAccuracy(params, bases, 1, zeros, x, labels)).toBeLessThan(0.9)
    // Pruning layer 2 entirely also changes them.
    expect(ablatedAccuracy(params, bases, 2, new Uint8Array(15), x, labels)).toBeLessThan(0.9)
  })
})

describe('faithfulness in rotated bases', () => {
  /** The documented ablated network in float64: ã_k = R_k·σ(R_kᵀ·(M̃ ⊙ mask)·ã_{k-1} + b_k). */
  function ablated64(
    params: MlpParams,
    bases: (Mat | null)[],
    layer: number,
    mask: Uint8Array,
    x: Float32Array,
    n: number,
  ): number[] {
    const L = params.layers.length
    const mulVec = (r: Mat | null, v: number[], transposed = false): number[] =>
      r
        ? v.map((_, i) =>
            v.reduce(
              (s, vj, j) => s + (transposed ? r.data[j * r.cols + i] : r.data[i * r.cols + j]) * vj,
              0,
            ),
          )
        : [...v]
    const mTilde = rotatedWeight(params, bases, layer)
    const out: number[] = []
    for (let s = 0; s < n; s++) {
      const d0 = params.sizes[0]
      let a = mulVec(bases[0], Array.from(x.subarray(s * d0, (s + 1) * d0)))
      params.layers.forEach((l, i) => {
        const k = i + 1
        let z: number[]
        if (k === layer) {
          const pre = Array.from({ length: l.outDim }, (_, r) =>
            a.reduce(
              (acc, ac, c) => acc + (mask[r * l.inDim + c] ? mTilde.data[r * l.inDim + c] : 0) * ac,
              0,
            ),
          )
          z = mulVec(bases[k], pre, true).map((v, r) => v + l.bias[r])
        } else {
          const prev = mulVec(bases[k - 1], a, true)
          z = Array.from({ length: l.outDim }, (_, r) =>
            prev.reduce((acc, pc, c) => acc + l.weight[r * l.inDim + c] * pc, l.bias[r]),
          )
        }
        a = mulVec(bases[k], k < L ? z.map((v) => activateScalar(v, params.activation)) : z)
      })
      out.push(...mulVec(bases[L], a, true))
    }
    return out
  }

  it('all-ones mask leaves the network unchanged; a partial mask matches the definition', () => {
    const rng = createRng(61)
    const sizes = [7, 6, 5, 4]
    const params = randomMlp(sizes, 'tanh', rng)
    const bases = sizes.map((d) => haarRotation(d, rng))
    const n = 12
    const x = Float32Array.from({ length: n * 7 }, () => rng.normal())
    const plain = predictLogits(params, x, n)
    for (const layer of [1, 2, 3]) {
      const l = params.layers[layer - 1]
      const ones = new Uint8Array(l.outDim * l.inDim).fill(1)
      expectAllClose(ablatedWeight(params, bases, layer, ones), l.weight, { atol: 1e-6 })
      expectAllClose(ablatedLogits(params, bases, layer, ones, x, n), plain, { atol: 1e-5 })
      const mask = Uint8Array.from(ones, () => (rng.next() < 0.5 ? 1 : 0))
      const logits = ablatedLogits(params, bases, layer, mask, x, n)
      expectAllClose(logits, ablated64(params, bases, layer, mask, x, n), {
        atol: 1e-5,
        rtol: 1e-5,
      })
      let diff = 0
      for (let e = 0; e < plain.length; e++) diff = Math.max(diff, Math.abs(plain[e] - logits[e]))
      expect(diff).toBeGreaterThan(1e-2)
    }
  })

  it('a rotated layer is not pruned weight by weight', () => {
    // Masking in a rotated basis is not the same as masking W itself.
    const rng = createRng(62)
    const params = randomMlp([5, 4, 3], 'relu', rng)
    const bases = [haarRotation(5, rng), haarRotation(4, rng), null]
    const mask = Uint8Array.from({ length: 20 }, (_, e) => (e % 3 === 0 ? 0 : 1))
    const w = ablatedWeight(params, bases, 1, mask)
    const pruned = params.layers[0].weight.map((v, e) => (mask[e] ? v : 0))
    let diff = 0
    for (let e = 0; e < 20; e++) diff = Math.max(diff, Math.abs(w[e] - pruned[e]))
    expect(diff).toBeGreaterThan(1e-2)
  })
})

describe('faithfulness in oblique bases (ã = T·a)', () => {
  it('M̃ = T_k·W_k·T_{k-1}⁻¹, and an ablated layer maps back through T_k⁻¹·(M̃ ⊙ mask)·T_{k-1}', () => {
    const rng = createRng(63)
    const sizes = [7, 6, 5, 4]
    const params = randomMlp(sizes, 'tanh', rng)
    const t = sizes.map((d) =>
      transformOf('oblique', normalizeColumns(axpby(1, identity(d), 0.6, gaussian(d, d, rng)))),
    )
    const sides = basisSides(
      'oblique',
      t.map((x) => x.inverse),
    )
    const x = Float32Array.from({ length: 12 * 7 }, () => rng.normal())
    const plain = predictLogits(params, x, 12)
    for (const layer of [1, 2, 3]) {
      const l = params.layers[layer - 1]
      const w = mat(l.outDim, l.inDim, l.weight)
      const tilde = matmul(matmul(t[layer].forward, w), t[layer - 1].inverse)
      const got = rotatedWeight(params, sides.out, layer, sides.in)
      expectAllClose(got.data, tilde.data, { atol: 1e-9, rtol: 1e-9 })
      const ones = new Uint8Array(l.outDim * l.inDim).fill(1)
      expectAllClose(ablatedWeight(params, sides.out, layer, ones, sides.in), l.weight, {
        atol: 1e-5,
      })
      expectAllClose(ablatedLogits(params, sides.out, layer, ones, x, 12, sides.in), plain, {
        atol: 1e-4,
      })
      const mask = Uint8Array.from(ones, () => (rng.next() < 0.5 ? 1 : 0))
      const masked = mat(
        l.outDim,
        l.inDim,
        tilde.data.map((v, e) => (mask[e] ? v : 0)),
      )
      const expected = matmul(matmul(t[layer].inverse, masked), t[layer - 1].forward)
      expectAllClose(ablatedWeight(params, sides.out, layer, mask, sides.in), expected.data, {
        atol: 1e-5,
        rtol: 1e-5,
      })
    }
  })
})

describe('helpers', () => {
  it('topKMask keeps the largest entries, ties to the lower index', () => {
    expect(Array.from(topKMask([0.1, 0.5, 0.5, 0.2, 0], 2))).toEqual([0, 1, 1, 0, 0])
    expect(Array.from(topKMask([0.1, 0.5, 0.5, 0.2, 0], 1))).toEqual([0, 1, 0, 0, 0])
    expect(Array.from(topKMask([3, 1], 0))).toEqual([0, 0])
    expect(Array.from(topKMask([3, 1], 5))).toEqual([1, 1])
  })

  it('fewestConnections picks the smallest k within tolerance, or null', () => {
    const curve = [
      { k: 1, accuracy: 0.5 },
      { k: 4, accuracy: 0.99 },
      { k: 8, accuracy: 0.9985 },
      { k: 16, accuracy: 0.999 },
    ]
    expect(fewestConnections(curve, 0.999, 0.01)).toBe(4)
    expect(fewestConnections(curve, 0.999, 0.001)).toBe(8)
    expect(fewestConnections(curve, 0.999, 0)).toBe(16)
    expect(fewestConnections(curve.slice(0, 2), 0.999, 0.001)).toBeNull()
  })

  it('connectionCounts spans 1 … total, sorted and unique', () => {
    const ks = connectionCounts(128 * 784)
    expect(ks[0]).toBe(1)
    expect(ks[ks.length - 1]).toBe(128 * 784)
    for (let i = 1; i < ks.length; i++) expect(ks[i]).toBeGreaterThan(ks[i - 1])
    expect(connectionCounts(3)).toEqual([1, 2, 3])
  })
})
