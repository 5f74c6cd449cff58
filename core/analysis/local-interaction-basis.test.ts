import { beforeAll, describe, expect, it } from 'vitest'
import { gaussian, randomMlp } from '../../test/helpers/random.ts'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { propagate } from './activations.ts'
import { symmetricEigen } from '../linalg/eigen.ts'
import { type Mat, identity, mat, matmul, matmulNT, matmulTN, transpose } from '../linalg/matrix.ts'
import { activateScalar } from '../model/activation.ts'
import { predictLogits } from '../model/forward.ts'
import type { MlpParams } from '../model/mlp.ts'
import { createRng } from '../random/prng.ts'
import { canonicalSigns } from '../rotation/init/canonical.ts'
import { pcaRotation } from '../rotation/init/pca.ts'
import { inverse } from '../rotation/oblique/manifold.ts'
import { haarRotation } from '../rotation/retraction.ts'
import {
  IMPORTANCE_FLOOR,
  interactionGram,
  libBases,
  libTransform,
} from './local-interaction-basis.ts'

beforeAll(async () => {
  await initCompute()
})

/** Rows signed as LIB signs them (largest-magnitude entry positive), on a copy. */
function signed(m: Mat): Mat {
  return canonicalSigns(mat(m.rows, m.cols, m.data))
}

/** One input's activations of every space, z's and σ'(z) in float64, by plain loops. */
function forward64(params: MlpParams, x: ArrayLike<number>) {
  const a: number[][] = [Array.from(x)]
  const slope: number[][] = []
  params.layers.forEach((l, i) => {
    const prev = a[i]
    const z = Array.from({ length: l.outDim }, (_, r) =>
      prev.reduce((s, v, c) => s + l.weight[r * l.inDim + c] * v, l.bias[r]),
    )
    const hidden = i < params.layers.length - 1
    a.push(hidden ? z.map((v) => activateScalar(v, params.activation)) : z)
    slope.push(hidden ? z.map((v) => 1 - Math.tanh(v) ** 2) : z.map(() => 1))
  })
  return { a, slope }
}

/**
 * LIB of one space the long way, in float64: covariance and per-input Jacobians
 * J(x) = P·diag(σ'(z))·W by loops, M = mean JᵀJ, whitening Σ = U·D·Uᵀ, M̂ = D^½·Uᵀ·M·U·D^½
 * = V·Λ·Vᵀ, T = Λ^½·Vᵀ·D^{-½}·Uᵀ (λ floored as documented). Rows by descending λ.
 */
function libByHand(
  acts: number[][],
  jacobians: number[][][],
): { t: Mat; lambda: Float64Array; cov: Mat; m: Mat } {
  const n = acts.length
  const d = acts[0].length
  const mean = Array.from({ length: d }, (_, j) => acts.reduce((s, a) => s + a[j], 0) / n)
  const cov = mat(d, d)
  for (const a of acts) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) cov.data[i * d + j] += ((a[i] - mean[i]) * (a[j] - mean[j])) / n
    }
  }
  const m = mat(d, d)
  for (const j of jacobians) {
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) {
        let s = 0
        for (const row of j) s += row[p] * row[q]
        m.data[p * d + q] += s / n
      }
    }
  }
  const { values: dv, vectors: ut } = symmetricEigen(cov)
  const half = mat(d, d)
  const invHalf = mat(d, d)
  for (let i = 0; i < d; i++) {
    half.data[i * d + i] = Math.sqrt(dv[i])
    invHalf.data[i * d + i] = 1 / Math.sqrt(dv[i])
  }
  const bt = matmul(half, ut)
  const { values: lambda, vectors: vt } = symmetricEigen(matmulNT(matmul(bt, m), bt))
  const floor = IMPORTANCE_FLOOR * lambda[0]
  const scale = mat(d, d)
  for (let i = 0; i < d; i++) scale.data[i * d + i] = Math.sqrt(Math.max(lambda[i], floor))
  const t = matmul(matmul(matmul(scale, vt), invHalf), ut)
  return { t: signed(t), lambda, cov, m }
}

describe('Local Interaction Basis', () => {
  // [3, 4, 3, 2] tanh: no dead units, so every direction has variance; the 2 logits read
  // only 2 of space 2's 3 directions, so LIB drops one there (it trails here).
  const rng = createRng(71)
  const params = randomMlp([3, 4, 3, 2], 'tanh', rng)
  const n = 60
  const x = Float32Array.from({ length: n * 3 }, () => rng.normal())
  const traces = Array.from({ length: n }, (_, s) =>
    forward64(params, x.subarray(s * 3, s * 3 + 3)),
  )
  let lib: ReturnType<typeof libBases>
  beforeAll(() => {
    lib = libBases(params, layerData(params, x, n), x, n, [1, 2])
  })

  it('matches the definition computed by hand in float64, space by space from the logits back', () => {
    // Space 2 reads the logits in the neuron basis: J = W_3 at every input.
    const w3 = params.layers[2]
    const j3 = Array.from({ length: w3.outDim }, (_, r) =>
      Array.from({ length: w3.inDim }, (_, c) => w3.weight[r * w3.inDim + c]),
    )
    const hand2 = libByHand(
      traces.map((t) => t.a[2]),
      traces.map(() => j3),
    )
    const got2 = lib[2]!
    expect(got2.rank).toBe(3)
    expect(got2.kept).toBe(2)
    expectAllClose(got2.forward.data, hand2.t.data, { atol: 1e-9, rtol: 1e-6 })
    // The network runs in float32: its activations agree with the float64 ones to ~1e-7.
    expectAllClose(got2.importance.subarray(0, 2), hand2.lambda.subarray(0, 2), { rtol: 1e-5 })

    // Space 1 reads space 2 through its kept LIB directions: J(x) = P·diag(σ'(z_2))·W_2.
    const w2 = params.layers[1]
    const p = got2.forward
    const j2 = traces.map((t) =>
      Array.from({ length: got2.kept }, (_, i) =>
        Array.from({ length: w2.inDim }, (_, c) => {
          let s = 0
          for (let r = 0; r < w2.outDim; r++) {
            s += p.data[i * 3 + r] * t.slope[1][r] * w2.weight[r * w2.inDim + c]
          }
          return s
        }),
      ),
    )
    const hand1 = libByHand(
      traces.map((t) => t.a[1]),
      j2,
    )
    const got1 = lib[1]!
    // W_2 has 3 rows, so J(x) has rank ≤ 3: one of space 1's 4 directions does nothing.
    expect(got1.rank).toBe(4)
    expect(got1.kept).toBe(3)
    expectAllClose(got1.forward.data, hand1.t.data, { atol: 1e-8, rtol: 1e-5 })
    expectAllClose(got1.importance.subarray(0, 3), hand1.lambda.subarray(0, 3), { rtol: 1e-5 })
    expect(lib[0]).toBeNull()
    expect(lib[3]).toBeNull()

    // What the scaling buys: Cov(ã) = diag(λ) and E[(J·T⁻¹)ᵀ(J·T⁻¹)] = I on the kept
    // directions (the trailing one has its floor λ and sends nothing on).
    const floor = IMPORTANCE_FLOOR * got1.importance[0]
    const covT = matmulNT(matmul(got1.forward, hand1.cov), got1.forward)
    const unit = matmul(matmulTN(got1.inverse, hand1.m), got1.inverse)
    const scales = mat(4, 4)
    const kept = mat(4, 4)
    for (let i = 0; i < 4; i++) {
      scales.data[i * 4 + i] = Math.max(got1.importance[i], floor)
      kept.data[i * 4 + i] = i < 3 ? 1 : 0
    }
    expectAllClose(covT.data, scales.data, { atol: 1e-8, rtol: 1e-6 })
    expectAllClose(unit.data, kept.data, { atol: 1e-5 })
  })

  it('is invertible in closed form and keeps the function when T⁻¹·T is inserted', () => {
    for (const b of [lib[1]!, lib[2]!]) {
      const d = b.forward.rows
      expectAllClose(matmul(b.forward, b.inverse).data, identity(d).data, { atol: 1e-9 })
    }
    const plain = predictLogits(params, x, n)
    const changes = lib.map((b) => b && { forward: b.forward, inverse: b.inverse })
    expectAllClose(predictLogits(params, x, n, changes), plain, { atol: 1e-5 })
    // Not a rotation: a change that used Tᵀ for T⁻¹ would not keep it.
    const wrong = lib.map((b) => b && { forward: b.forward, inverse: transpose(b.forward) })
    const off = predictLogits(params, x, n, wrong)
    expect(Math.max(...off.map((v, i) => Math.abs(v - plain[i])))).toBeGreaterThan(1e-2)
  })

  it('keeps the function on a relu network with dead units, which trail as unit directions', () => {
    const r = createRng(72)
    const p = randomMlp([6, 8, 5, 3], 'relu', r)
    // Units 0 and 3 of space 1 never fire.
    const w1 = Float32Array.from(p.layers[0].weight)
    const b1 = Float32Array.from(p.layers[0].bias)
    for (const dead of [0, 3]) {
      w1.fill(0, dead * 6, dead * 6 + 6)
      b1[dead] = -1
    }
    const dead: MlpParams = {
      ...p,
      layers: [{ ...p.layers[0], weight: w1, bias: b1 }, ...p.layers.slice(1)],
    }
    const m = 200
    const xs = Float32Array.from({ length: m * 6 }, () => r.normal())
    const bases = libBases(dead, layerData(dead, xs, m), xs, m, [1, 2])
    const b = bases[1]!
    // Units that never fire on these inputs: 0 and 3, and any the random weights killed.
    const acts = propagate(dead, 0, 1, xs, m)
    const silent = [...Array(8).keys()].filter((u) => acts.every((v, e) => e % 8 !== u || v === 0))
    expect(silent).toEqual(expect.arrayContaining([0, 3]))
    expect(b.rank).toBe(8 - silent.length)
    // The trailing rows are the silent units' own axes (zero variance, unit scale).
    const tail = silent.map((_, i) => {
      const row = b.forward.data.subarray((b.rank + i) * 8, (b.rank + i + 1) * 8)
      expect(Array.from(row).filter((v) => Math.abs(v) > 1e-9)).toHaveLength(1)
      return row.findIndex((v) => Math.abs(v - 1) < 1e-9)
    })
    expect(tail.sort()).toEqual(silent)
    expectAllClose(matmul(b.forward, b.inverse).data, identity(8).data, { atol: 1e-8 })
    const plain = predictLogits(dead, xs, m)
    const changes = bases.map((t) => t && { forward: t.forward, inverse: t.inverse })
    expectAllClose(predictLogits(dead, xs, m, changes), plain, { atol: 1e-4 })
  })

  it('gives a free logit space its PCA basis (orthogonal) and a free pixel space its LIB', () => {
    const all = libBases(params, layerData(params, x, n), x, n, [0, 1, 2, 3])
    const logits = propagate(params, 0, 3, x, n)
    expectAllClose(all[3]!.forward.data, pcaRotation(logits, n, 2).data, { atol: 1e-12 })
    expectAllClose(all[3]!.inverse.data, transpose(all[3]!.forward).data, { atol: 1e-12 })
    // Space 2 now reads the logits through their PCA rotation: E[JᵀJ] = W_3ᵀ·RᵀR·W_3, the same.
    expectAllClose(all[2]!.forward.data, lib[2]!.forward.data, { atol: 1e-9, rtol: 1e-6 })
    expect(all[0]!.rank).toBe(3)
    const changes = all.map((b) => b && { forward: b.forward, inverse: b.inverse })
    expectAllClose(predictLogits(params, x, n, changes), predictLogits(params, x, n), {
      atol: 1e-5,
    })
  })

  describe('invariances', () => {
    const r = createRng(73)
    const d = 5
    const m = 300
    // Correlated activations with a mean, and a full-rank E[JᵀJ].
    const mix = gaussian(d, d, r)
    const acts = Float32Array.from({ length: m * d })
    for (let s = 0; s < m; s++) {
      const z = Array.from({ length: d }, () => r.normal())
      for (let i = 0; i < d; i++) {
        acts[s * d + i] = 2 + z.reduce((a, v, j) => a + mix.data[i * d + j] * v, 0)
      }
    }
    const j = gaussian(7, d, r)
    const gram = matmulTN(j, j)
    const base = libTransform(acts, m, d, gram)

    it('under an invertible change of the activations a ↦ A·a, the LIB coordinates stay the same', () => {
      const a = gaussian(d, d, r)
      const moved = Float32Array.from({ length: m * d })
      for (let s = 0; s < m; s++) {
        for (let i = 0; i < d; i++) {
          let v = 0
          for (let k = 0; k < d; k++) v += a.data[i * d + k] * acts[s * d + k]
          moved[s * d + i] = v
        }
      }
      // The Jacobian in the new coordinates is J·A⁻¹, so E[JᵀJ] becomes A⁻ᵀ·G·A⁻¹.
      const aInv = inverse(a)
      const g = matmul(matmulTN(aInv, gram), aInv)
      const t = libTransform(moved, m, d, g)
      // ã = T'·A·a must equal T·a: compare T'·A with T up to each row's sign.
      expectAllClose(signed(matmul(t.forward, a)).data, signed(base.forward).data, {
        atol: 1e-4,
        rtol: 1e-3,
      })
      expectAllClose(t.importance, base.importance, { rtol: 1e-4 })
    })

    it('is unchanged by a constant shift of the activations (they are centred)', () => {
      const shifted = acts.map((v, e) => v + (e % d) * 3 - 4)
      const t = libTransform(shifted, m, d, gram)
      expectAllClose(t.forward.data, base.forward.data, { atol: 1e-6, rtol: 1e-5 })
    })

    it('sees the next space only through PᵀP: a rotation of the next basis changes nothing', () => {
      const p = randomMlp([d, 6, 2], 'relu', r)
      const xs = Float32Array.from({ length: 40 * d }, () => r.normal())
      const layer = layerData(p, xs, 40)[0]
      const next = gaussian(4, 6, r)
      const q = haarRotation(4, r)
      expectAllClose(
        interactionGram(layer, matmul(q, next)).data,
        interactionGram(layer, next).data,
        { atol: 1e-9, rtol: 1e-9 },
      )
    })
  })
})
