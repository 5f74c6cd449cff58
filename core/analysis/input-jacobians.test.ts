import { beforeAll, describe, expect, it } from 'vitest'
import { gaussian, randomMlp } from '../../test/helpers/random.ts'
import { expectAllClose, expectClose } from '../../test/helpers/tolerance.ts'
import { measureDefaults } from '../api/config/measure.ts'
import { initCompute } from '../backend/compute.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { type Mat, add, identity, transpose } from '../linalg/matrix.ts'
import type { Activation, MlpParams } from '../model/mlp.ts'
import { type Rng, createRng } from '../random/prng.ts'
import { inverse } from '../rotation/oblique/manifold.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { type BasisChange, changeSides } from '../rotation/transform.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { inputJacobians, jacobianMetrics, maxAbs } from './input-jacobians.ts'

beforeAll(async () => {
  await initCompute()
})

const SIZES = [7, 6, 5, 4]

// ---- float64 reference: the network and J_k(x) = T_k·D_k(x)·W_k·T_{k-1}⁻¹ by hand ----

function derivative(z: number, activation: Activation): number {
  return activation === 'relu' ? (z > 0 ? 1 : 0) : 1 - Math.tanh(z) ** 2
}

/** σ'(z_k(x)) of every hidden layer, in float64. */
function derivatives64(params: MlpParams, x: ArrayLike<number>): number[][] {
  const out: number[][] = []
  let a = Array.from(x)
  params.layers.slice(0, -1).forEach((l) => {
    const z = Array.from({ length: l.outDim }, (_, r) => {
      let s = l.bias[r]
      for (let c = 0; c < l.inDim; c++) s += l.weight[r * l.inDim + c] * a[c]
      return s
    })
    out.push(z.map((v) => derivative(v, params.activation)))
    a = z.map((v) => (params.activation === 'relu' ? Math.max(0, v) : Math.tanh(v)))
  })
  return out
}

/** A·B for row-major float64 matrices given as [rows, cols, data]. */
function product(a: Mat, b: Mat): Mat {
  const data = new Float64Array(a.rows * b.cols)
  for (let i = 0; i < a.rows; i++)
    for (let t = 0; t < a.cols; t++)
      for (let j = 0; j < b.cols; j++)
        data[i * b.cols + j] += a.data[i * a.cols + t] * b.data[t * b.cols + j]
  return { rows: a.rows, cols: b.cols, data }
}

/**
 * J_k = writeOut·diag(d)·W_k·readIn, where writeOut is T_k (or I) and readIn is T_{k-1}⁻¹
 * (Rᵀ for a rotation, or I), every product in float64.
 */
function referenceJacobian(
  params: MlpParams,
  k: number,
  x: ArrayLike<number>,
  changes: readonly (BasisChange | null)[],
): Float64Array {
  const l = params.layers[k - 1]
  const d = k < params.layers.length ? derivatives64(params, x)[k - 1] : null
  const dw: Mat = { rows: l.outDim, cols: l.inDim, data: Float64Array.from(l.weight) }
  if (d)
    for (let r = 0; r < l.outDim; r++)
      for (let c = 0; c < l.inDim; c++) dw.data[r * l.inDim + c] *= d[r]
  const out = changes[k]?.forward ?? identity(l.outDim)
  const into = changes[k - 1]?.inverse ?? identity(l.inDim)
  return product(product(out, dw), into).data
}

/** Inputs whose pre-activations stay clear of relu's kink, so float32 and float64 agree on σ'. */
function safeInput(params: MlpParams, rng: Rng, margin = 1e-2): Float32Array {
  for (;;) {
    const x = Float32Array.from({ length: params.sizes[0] }, () => rng.normal())
    let a = Array.from(x)
    let clear = true
    for (const l of params.layers.slice(0, -1)) {
      const z = Array.from({ length: l.outDim }, (_, r) => {
        let s = l.bias[r]
        for (let c = 0; c < l.inDim; c++) s += l.weight[r * l.inDim + c] * a[c]
        return s
      })
      clear &&= z.every((v) => Math.abs(v) > margin)
      a = z.map((v) => Math.max(0, v))
    }
    if (clear) return x
  }
}

function rotation(n: number, rng: Rng): BasisChange {
  const r = haarRotation(n, rng)
  return { kind: 'rotation', forward: r, inverse: transpose(r) }
}

/** A well-conditioned invertible T = I + 0.3·G and its float64 inverse. */
function oblique(n: number, rng: Rng): BasisChange {
  const t = add(identity(n), gaussian(n, n, rng, 0.3))
  return { kind: 'oblique', forward: t, inverse: inverse(t) }
}

describe('inputJacobians', () => {
  it.each(['relu', 'tanh'] as const)(
    '%s: both bases match T_k·D·W·T_{k-1}⁻¹ by hand for rotations, free input and logit spaces included',
    (activation) => {
      const rng = createRng(11)
      const params = randomMlp(SIZES, activation, rng)
      const changes = SIZES.map((d) => rotation(d, rng))
      const x = safeInput(params, rng)
      const layers = inputJacobians(params, changeSides(changes), x)
      expect(layers.map((l) => [l.layer, l.rows, l.cols])).toEqual([
        [1, 6, 7],
        [2, 5, 6],
        [3, 4, 5],
      ])
      const neuron = SIZES.map(() => null)
      for (const l of layers) {
        const label = `${activation} layer ${l.layer}`
        expectAllClose(l.neuron, referenceJacobian(params, l.layer, x, neuron), {
          rtol: 1e-5,
          atol: 1e-6,
          label: `${label} neuron`,
        })
        expectAllClose(l.learned, referenceJacobian(params, l.layer, x, changes), {
          rtol: 1e-5,
          atol: 1e-6,
          label: `${label} learned`,
        })
      }
    },
  )

  it('reads an oblique run through T⁻¹, not Tᵀ, and leaves unlearned spaces in the neuron basis', () => {
    const rng = createRng(12)
    const params = randomMlp(SIZES, 'relu', rng)
    const changes = [null, oblique(6, rng), oblique(5, rng), null]
    const x = safeInput(params, rng)
    const layers = inputJacobians(params, changeSides(changes), x)
    for (const l of layers) {
      expectAllClose(l.learned, referenceJacobian(params, l.layer, x, changes), {
        rtol: 1e-4,
        atol: 1e-5,
        label: `layer ${l.layer}`,
      })
    }
    // Tᵀ would be the wrong reading side: the reference with it differs.
    const wrong = changes.map((c) => c && { ...c, inverse: transpose(c.forward) })
    const diff = referenceJacobian(params, 2, x, wrong).map((v, i) =>
      Math.abs(v - layers[1].learned[i]),
    )
    expect(Math.max(...diff)).toBeGreaterThan(1e-2)
  })

  it('refuses an input of the wrong width', () => {
    const params = randomMlp(SIZES, 'relu', createRng(1))
    expect(() =>
      inputJacobians(params, changeSides(SIZES.map(() => null)), new Float32Array(6)),
    ).toThrow(/an input has 7 values, got 6/)
  })
})

describe('jacobianMetrics', () => {
  const measure = createMeasure(measureDefaults('l1'))

  it('computes nearZero, Hoyer, the measure and the fan-in of one J by hand', () => {
    // Row 0: one large and one tiny entry; row 1: two equal entries; row 2: zero (dead unit).
    const j = Float32Array.from([4, 0.01, 0, 0, 2, -2, 0, 0, 0])
    const m = jacobianMetrics(j, 3, 3, measure, 0.01)
    // Under 0.01·4 = 0.04: 0.01 and the five zeros.
    expectClose(m.nearZero, 6 / 9, { atol: 1e-12 })
    const l1 = 4 + 0.01 + 4
    const l2 = Math.sqrt(16 + 1e-4 + 8)
    expectClose(m.hoyerSparsity, (3 - l1 / l2) / (3 - 1), { rtol: 1e-6 })
    expectClose(m.measure, l1, { rtol: 1e-6 })
    // Fan-in (Σ J²)² / Σ J⁴ over the two live rows: ≈ 1 and exactly 2.
    const row0 = (16 + 1e-4) ** 2 / (256 + 1e-8)
    expectClose(m.fanIn, (row0 + 2) / 2, { rtol: 1e-6 })
    expect(maxAbs(j)).toBe(4)
  })

  it('averaged over inputs, gives the held-out metrics layerMetrics reports', () => {
    const rng = createRng(5)
    const params = randomMlp(SIZES, 'relu', rng)
    const changes = [null, rotation(6, rng), rotation(5, rng), null]
    const sides = changeSides(changes)
    const n = 6
    const xs = Array.from({ length: n }, () => safeInput(params, rng))
    const all = new Float32Array(n * SIZES[0])
    xs.forEach((x, i) => all.set(x, i * SIZES[0]))
    const held = layerData(params, all, n)
    for (const k of [1, 2]) {
      const per = xs.map((x) => {
        const l = inputJacobians(params, sides, x)[k - 1]
        return jacobianMetrics(l.learned, l.rows, l.cols, measure, 0.01)
      })
      const mean = (key: 'nearZero' | 'hoyerSparsity' | 'measure') =>
        per.reduce((s, m) => s + m[key], 0) / n
      const expected = layerMetrics(held[k - 1], sides.in[k - 1], sides.out[k], [measure], 0.01)
      expectClose(mean('nearZero'), expected.nearZero, { atol: 1e-9, label: `layer ${k} nearZero` })
      expectClose(mean('hoyerSparsity'), expected.hoyerSparsity, {
        rtol: 1e-5,
        label: `layer ${k} hoyer`,
      })
      expectClose(mean('measure'), expected.measures.l1, { rtol: 1e-5, label: `layer ${k} l1` })
    }
  })
})
