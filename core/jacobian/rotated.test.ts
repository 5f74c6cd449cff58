import { randomMlp } from '../../test/helpers/random.ts'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import type { Mat } from '../linalg/matrix.ts'
import { ACTIVATIONS, type Activation, type MlpParams } from '../model/mlp.ts'
import { type Rng, createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { activateScalar, erf } from '../model/activation.ts'
import { predictLogits } from '../model/forward.ts'
import { type LayerData, layerData } from './layer-data.ts'
import { RotatedLayer, chunkSize, forEachChunk } from './rotated.ts'

beforeAll(async () => {
  await initCompute()
})

const SIZES = [7, 6, 5, 4]

// ---- float64 reference, written without tfjs ----

function sigma(z: number, activation: Activation): number {
  return activateScalar(z, activation)
}

function sigmaPrime(z: number, activation: Activation): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? 1 : 0
    case 'tanh':
      return 1 - Math.tanh(z) ** 2
    case 'gelu':
      return (
        0.5 * (1 + erf(z * Math.SQRT1_2)) + (z * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI)
      )
  }
}

/** z_k and a_k (a[0] = x) of every layer at one input, in float64. */
function forward64(params: MlpParams, x: ArrayLike<number>): { z: number[][]; a: number[][] } {
  const L = params.layers.length
  const a: number[][] = [Array.from(x)]
  const z: number[][] = []
  params.layers.forEach((l, i) => {
    const zk = Array.from({ length: l.outDim }, (_, r) => {
      let s = l.bias[r]
      for (let c = 0; c < l.inDim; c++) s += l.weight[r * l.inDim + c] * a[i][c]
      return s
    })
    z.push(zk)
    a.push(i < L - 1 ? zk.map((v) => sigma(v, params.activation)) : zk)
  })
  return { z, a }
}

/** R·v, or v when R is null (identity). */
function mulVec(r: Mat | null, v: readonly number[]): number[] {
  if (!r) return [...v]
  return Array.from({ length: r.rows }, (_, i) => {
    let s = 0
    for (let j = 0; j < r.cols; j++) s += r.data[i * r.cols + j] * v[j]
    return s
  })
}

/** Rᵀ·v, or v when R is null. */
function mulVecT(r: Mat | null, v: readonly number[]): number[] {
  if (!r) return [...v]
  return Array.from({ length: r.cols }, (_, j) => {
    let s = 0
    for (let i = 0; i < r.rows; i++) s += r.data[i * r.cols + j] * v[i]
    return s
  })
}

/** The rotated layer map f̃_k(ã) = R_k σ(W_k R_{k-1}ᵀ ã + b_k) (no σ for the logit layer). */
function rotatedLayerMap(
  params: MlpParams,
  k: number,
  rIn: Mat | null,
  rOut: Mat | null,
  aTilde: readonly number[],
): number[] {
  const l = params.layers[k - 1]
  const a = mulVecT(rIn, aTilde)
  const z = Array.from({ length: l.outDim }, (_, r) => {
    let s = l.bias[r]
    for (let c = 0; c < l.inDim; c++) s += l.weight[r * l.inDim + c] * a[c]
    return s
  })
  const out = k < params.layers.length ? z.map((v) => sigma(v, params.activation)) : z
  return mulVec(rOut, out)
}

/** Central finite differences of f̃_k at ã = R_{k-1}·a_{k-1}(x), [d_out × d_in] row-major. */
function fdJacobian(
  params: MlpParams,
  k: number,
  rIn: Mat | null,
  rOut: Mat | null,
  x: ArrayLike<number>,
  h = 1e-6,
): Float64Array {
  const l = params.layers[k - 1]
  const a0 = mulVec(rIn, forward64(params, x).a[k - 1])
  const j = new Float64Array(l.outDim * l.inDim)
  for (let c = 0; c < l.inDim; c++) {
    const plus = [...a0]
    const minus = [...a0]
    plus[c] += h
    minus[c] -= h
    const fp = rotatedLayerMap(params, k, rIn, rOut, plus)
    const fm = rotatedLayerMap(params, k, rIn, rOut, minus)
    for (let r = 0; r < l.outDim; r++) j[r * l.inDim + c] = (fp[r] - fm[r]) / (2 * h)
  }
  return j
}

/** R_out·diag(σ'(z_k))·W_k·R_inᵀ as a naive float64 product (D = I for the logit layer). */
function naiveJacobian(
  params: MlpParams,
  k: number,
  rIn: Mat | null,
  rOut: Mat | null,
  x: ArrayLike<number>,
): Float64Array {
  const l = params.layers[k - 1]
  const { outDim: m, inDim: n } = l
  const z = forward64(params, x).z[k - 1]
  const d = z.map((v) => (k < params.layers.length ? sigmaPrime(v, params.activation) : 1))
  // M = W·R_inᵀ
  const mm = new Float64Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < n; c++) {
      let s = 0
      for (let t = 0; t < n; t++)
        s += l.weight[i * n + t] * (rIn ? rIn.data[c * n + t] : t === c ? 1 : 0)
      mm[i * n + c] = s
    }
  }
  const j = new Float64Array(m * n)
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let s = 0
      for (let i = 0; i < m; i++)
        s += (rOut ? rOut.data[r * m + i] : r === i ? 1 : 0) * d[i] * mm[i * n + c]
      j[r * n + c] = s
    }
  }
  return j
}

/**
 * Random inputs whose pre-activations all stay at least `margin` away from 0, so relu's
 * kink is outside every finite-difference stencil and float32 agrees with float64 on σ'.
 */
function safeInputs(params: MlpParams, n: number, rng: Rng, margin = 1e-2): Float32Array {
  const d0 = params.sizes[0]
  const x = new Float32Array(n * d0)
  for (let i = 0; i < n;) {
    const row = Float32Array.from({ length: d0 }, () => rng.normal())
    const { z } = forward64(params, row)
    if (z.slice(0, -1).every((zk) => zk.every((v) => Math.abs(v) > margin))) x.set(row, d0 * i++)
  }
  return x
}

/** Every Jacobian of a layer through forEachChunk, back to back. */
function allJacobians(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  maxEntries?: number,
): Float32Array {
  const size = data.outDim * data.inDim
  const out = new Float32Array((data.derivatives ? data.n : 1) * size)
  const layer = new RotatedLayer(data, rIn, rOut)
  try {
    forEachChunk(
      data,
      (d, count, start) => out.set(layer.jacobians(d, count), start * size),
      maxEntries,
    )
  } finally {
    layer.dispose()
  }
  return out
}

function rotations(sizes: readonly number[], rng: Rng): Mat[] {
  return sizes.map((d) => haarRotation(d, rng))
}

function row(x: Float32Array, i: number, width: number): Float32Array {
  return x.subarray(i * width, (i + 1) * width)
}

describe('layerData', () => {
  it.each(ACTIVATIONS)(
    '%s: derivatives and logits match a float64 forward pass across batches',
    (activation) => {
      const rng = createRng(11)
      const params = randomMlp(SIZES, activation, rng)
      // More than one forward batch (2048 rows), so later batches read at an offset.
      const n = 2100
      const x = Float32Array.from({ length: n * SIZES[0] }, () => rng.normal())
      const data = layerData(params, x, n)
      expect(data.map((d) => [d.layer, d.inDim, d.outDim, d.n])).toEqual([
        [1, 7, 6, n],
        [2, 6, 5, n],
        [3, 5, 4, n],
      ])
      expect(data[2].derivatives).toBeNull()
      data.forEach((d, i) => expect(d.weight).toBe(params.layers[i].weight))
      const logits = predictLogits(params, x, n)
      const actual: number[] = []
      const expected: number[] = []
      const actualLogits: number[] = []
      const expectedLogits: number[] = []
      for (let s = 0; s < n; s++) {
        const { z, a } = forward64(params, row(x, s, SIZES[0]))
        for (let k = 0; k < 2; k++) {
          const w = SIZES[k + 1]
          z[k].forEach((v, i) => {
            // relu's σ' flips between float32 and float64 only right at the kink.
            if (activation === 'relu' && Math.abs(v) < 1e-4) return
            actual.push(data[k].derivatives![s * w + i])
            expected.push(sigmaPrime(v, activation))
          })
        }
        actualLogits.push(...row(logits, s, SIZES[3]))
        expectedLogits.push(...a[3])
      }
      expect(actual.length).toBeGreaterThan(0.99 * n * 11)
      expectAllClose(actual, expected, { rtol: 1e-5, atol: 1e-6, label: 'derivatives' })
      expectAllClose(actualLogits, expectedLogits, { rtol: 1e-5, atol: 1e-5, label: 'logits' })
    },
  )
})

describe('RotatedLayer.jacobians', () => {
  const n = 5
  const L = SIZES.length - 1

  it.each(ACTIVATIONS)(
    '%s: J_k = R_k·D_k·W_k·R_{k-1}ᵀ matches finite differences and a naive product',
    (activation) => {
      const rng = createRng(1234)
      const params = randomMlp(SIZES, activation, rng)
      const x = safeInputs(params, n, rng)
      const bases = rotations(SIZES, rng)
      const data = layerData(params, x, n)
      for (let k = 1; k <= L; k++) {
        const { inDim, outDim } = data[k - 1]
        const size = inDim * outDim
        for (const inRot of [false, true]) {
          for (const outRot of [false, true]) {
            const rIn = inRot ? bases[k - 1] : null
            const rOut = outRot ? bases[k] : null
            const label = `${activation} layer ${k} rIn ${inRot ? 'R' : 'I'} rOut ${outRot ? 'R' : 'I'}`
            const j = allJacobians(data[k - 1], rIn, rOut)
            // The logit layer's Jacobian is the same at every input: one stands for all.
            expect(j.length).toBe(k === L ? size : n * size)
            for (let s = 0; s < n; s++) {
              const xs = row(x, s, SIZES[0])
              const js = k === L ? j : j.subarray(s * size, (s + 1) * size)
              const tol = { rtol: 1e-4, atol: 1e-5 }
              expectAllClose(js, fdJacobian(params, k, rIn, rOut, xs), {
                ...tol,
                label: `${label} sample ${s} (FD)`,
              })
              expectAllClose(js, naiveJacobian(params, k, rIn, rOut, xs), {
                ...tol,
                label: `${label} sample ${s} (naive)`,
              })
            }
          }
        }
      }
    },
  )

  it('gives M = W·R_inᵀ as weightInRotated', () => {
    const rng = createRng(5)
    const params = randomMlp(SIZES, 'tanh', rng)
    const data = layerData(params, safeInputs(params, 2, rng), 2)
    const rIn = haarRotation(6, rng)
    const layer = new RotatedLayer(data[1], rIn, haarRotation(5, rng))
    const m = layer.weightInRotated()
    layer.dispose()
    const w = params.layers[1].weight
    const expected = Array.from({ length: 5 * 6 }, (_, e) => {
      const [i, c] = [Math.floor(e / 6), e % 6]
      let s = 0
      for (let t = 0; t < 6; t++) s += w[i * 6 + t] * rIn.data[c * 6 + t]
      return s
    })
    expectAllClose(m, expected, { rtol: 1e-5, atol: 1e-6 })
  })
})

describe('chunking', () => {
  const n = 7

  it('forEachChunk visits contiguous chunks of chunkSize inputs', () => {
    const rng = createRng(98)
    const params = randomMlp(SIZES, 'gelu', rng)
    const data = layerData(params, safeInputs(params, n, rng), n)[1]
    const size = data.outDim * data.inDim
    expect(chunkSize(data, 3 * size)).toBe(3)
    expect(chunkSize(data, 3 * size + size - 1)).toBe(3)
    expect(chunkSize(data, 1)).toBe(1)
    const seen: [number, number][] = []
    forEachChunk(
      data,
      (d, count, start) => {
        seen.push([start, count])
        expect(d).toEqual(
          data.derivatives!.subarray(start * data.outDim, (start + count) * data.outDim),
        )
      },
      3 * size,
    )
    expect(seen).toEqual([
      [0, 3],
      [3, 3],
      [6, 1],
    ])
    const logit = layerData(params, safeInputs(params, n, rng), n)[2]
    const logitSeen: [Float32Array | null, number, number][] = []
    forEachChunk(logit, (d, count, start) => logitSeen.push([d, count, start]), 1)
    expect(logitSeen).toEqual([[null, 1, 0]])
  })

  it('gives the same Jacobians and gradient accumulations for any chunk size', () => {
    const rng = createRng(99)
    const params = randomMlp(SIZES, 'relu', rng)
    const x = safeInputs(params, n, rng)
    const data = layerData(params, x, n)
    const bases = rotations(SIZES, rng)
    for (const k of [1, 2]) {
      const dk = data[k - 1]
      const size = dk.outDim * dk.inDim
      for (const rOut of [null, bases[k]]) {
        const rIn = bases[k - 1]
        const one = allJacobians(dk, rIn, rOut)
        for (const maxEntries of [1, 2 * size, 3 * size + 1]) {
          expect(allJacobians(dk, rIn, rOut, maxEntries)).toEqual(one)
        }

        // Gradient contractions with a fixed random G.
        const g = Float32Array.from({ length: n * size }, () => rng.normal())
        const accumulate = (maxEntries?: number): [Float64Array, Float64Array] => {
          const out = new Float64Array(dk.outDim * dk.outDim)
          const inF = new Float64Array(dk.outDim * dk.inDim)
          const layer = new RotatedLayer(dk, rIn, rOut)
          forEachChunk(
            dk,
            (d, count, start) => {
              const gc = g.subarray(start * size, (start + count) * size)
              layer.accumulateGradOut(gc, d, count, out)
              layer.accumulateGradInFactor(gc, d, count, inF)
            },
            maxEntries,
          )
          layer.dispose()
          return [out, inF]
        }
        const [outOne, inOne] = accumulate()
        for (const maxEntries of [1, 2 * size]) {
          const [outC, inC] = accumulate(maxEntries)
          expectAllClose(outC, outOne, {
            rtol: 1e-6,
            atol: 1e-6,
            label: `gradOut chunks ${maxEntries}`,
          })
          expectAllClose(inC, inOne, {
            rtol: 1e-6,
            atol: 1e-6,
            label: `gradIn chunks ${maxEntries}`,
          })
        }
      }
    }
  })
})
