import { beforeAll, describe, expect, it } from 'vitest'
import { gaussian, randomMlp } from '../../test/helpers/random.ts'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { type Mat, axpby, identity, transpose } from '../linalg/matrix.ts'
import { type Rng, createRng } from '../random/prng.ts'
import { conditionNumber, normalizeColumns } from '../rotation/oblique/manifold.ts'
import { createObliqueProblem } from '../rotation/oblique/problem.ts'
import { obliqueAdam } from '../rotation/optimizers/oblique-adam.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { transformOf } from '../rotation/transform.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { activateScalar } from './activation.ts'
import { type Transform, forward, predictLogits } from './forward.ts'
import { ACTIVATIONS } from '../api/config/sections.ts'
import type { MlpParams } from './mlp.ts'
import { asLayers, asSpaces } from './indices.ts'

beforeAll(async () => {
  await initCompute()
})

const SIZES = [7, 6, 5, 4]
const N = 10

const inputs = (rng: Rng, n = N): Float32Array =>
  Float32Array.from({ length: n * SIZES[0] }, () => rng.normal())

const rotation = (r: Mat): Transform => ({ forward: r, inverse: transpose(r) })

/** A random oblique transform: T⁻¹ = M with unit columns, far from orthogonal. */
function randomOblique(d: number, rng: Rng): Transform {
  return transformOf('oblique', normalizeColumns(axpby(1, identity(d), 0.7, gaussian(d, d, rng))))
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

const mul = (m: Mat | undefined, v: number[]): number[] =>
  m
    ? Array.from({ length: m.rows }, (_, i) =>
        v.reduce((s, vj, j) => s + m.data[i * m.cols + j] * vj, 0),
      )
    : v

/**
 * The documented network with changes of basis inserted, literally, in float64, with
 * `forward`/`inverse` used as given: ã_0 = T_0·x, ã_k = T_k·σ(W_k·T_{k-1}⁻¹·ã_{k-1} + b_k),
 * logits = T_L⁻¹·ã_L. Also returns z_k and the activations ã_k per sample.
 */
function reference64(
  params: MlpParams,
  changes: readonly (Transform | null)[],
  x: Float32Array,
  n = N,
): { logits: number[]; z: number[][][]; a: number[][][] } {
  const L = params.layers.length
  const logits: number[] = []
  const z: number[][][] = []
  const acts: number[][][] = []
  for (let s = 0; s < n; s++) {
    let a = mul(changes[0]?.forward, Array.from(x.subarray(s * SIZES[0], (s + 1) * SIZES[0])))
    const zs: number[][] = []
    const as: number[][] = [a]
    params.layers.forEach((l, i) => {
      const k = i + 1
      const prev = mul(changes[k - 1]?.inverse, a)
      const zk = Array.from({ length: l.outDim }, (_, r) => {
        let v = l.bias[r]
        for (let c = 0; c < l.inDim; c++) v += l.weight[r * l.inDim + c] * prev[c]
        return v
      })
      zs.push(zk)
      a = mul(changes[k]?.forward, k < L ? zk.map((v) => activateScalar(v, params.activation)) : zk)
      as.push(a)
    })
    logits.push(...mul(changes[L]?.inverse, a))
    z.push(zs)
    acts.push(as)
  }
  return { logits, z, a: acts }
}

describe('forward', () => {
  it.each(ACTIVATIONS)('%s: inserting T_k⁻¹·T_k = I leaves the logits unchanged', (activation) => {
    const rng = createRng(41)
    const params = randomMlp(SIZES, activation, rng)
    const x = inputs(rng)
    const expected = predictLogits(params, x, N)
    const r = SIZES.map((d) => rotation(haarRotation(d, rng)))
    const t = SIZES.map((d) => randomOblique(d, rng))
    const cases: [string, (Transform | null)[]][] = [
      ['all identity', [null, null, null, null]],
      ['hidden rotated', [null, r[1], r[2], null]],
      ['R_0 and R_L free too', r],
      ['mixed', [r[0], null, r[2], r[3]]],
      ['hidden oblique', [null, t[1], t[2], null]],
      ['all oblique', t],
    ]
    for (const [label, changes] of cases) {
      const logits = predictLogits(params, x, N, changes)
      expect(logits.length).toBe(N * SIZES[3])
      // Float error grows with κ(T): orthogonal changes keep it at round-off.
      const tol = label.includes('oblique') ? 5e-5 : 1e-5
      expectAllClose(logits, expected, { rtol: tol, atol: tol, label })
    }
  })

  it.each(ACTIVATIONS)('%s: applies T and T⁻¹ where the formula puts them', (activation) => {
    // Pairs that do not invert each other no longer cancel, so a matrix applied in the
    // wrong place, transposed, or not at all changes the result.
    const rng = createRng(52)
    const params = randomMlp(SIZES, activation, rng)
    const x = inputs(rng)
    const changes = SIZES.map((d) => ({
      forward: axpby(1, identity(d), 0.4, gaussian(d, d, rng)),
      inverse: axpby(1, identity(d), 0.4, gaussian(d, d, rng)),
    }))
    const out = forward(params, x, N, { changes, activations: [0, 1, 2, 3], derivatives: true })
    const ref = reference64(params, changes, x)
    expectAllClose(out.output, ref.logits, { rtol: 1e-4, atol: 1e-4 })
    expect(maxAbsDiff(out.output, predictLogits(params, x, N))).toBeGreaterThan(1e-2)
    for (let k = 0; k <= 3; k++) {
      const a = ref.a.flatMap((perSample) => perSample[k])
      expectAllClose(out.activations.get(k)!, a, { rtol: 1e-4, atol: 1e-4, label: `ã_${k}` })
    }
    // σ'(z_k) for the hidden layers, from float64 pre-activations (relu'(0) = 0).
    const h = 1e-6
    out.derivatives.forEach((d, i) => {
      const expected = ref.z.flatMap((zs) =>
        zs[i].map((v) =>
          activation === 'relu'
            ? v > 0
              ? 1
              : 0
            : (activateScalar(v + h, activation) - activateScalar(v - h, activation)) / (2 * h),
        ),
      )
      expectAllClose(d, expected, { rtol: 1e-4, atol: 1e-4, label: `σ'(z_${i + 1})` })
    })
  })

  it('runs part of the network, with replaced weights, as the composition of its parts', () => {
    const rng = createRng(7)
    const params = randomMlp(SIZES, 'gelu', rng)
    const x = inputs(rng)
    const a1 = forward(params, x, N, { to: 1 }).output
    const full = predictLogits(params, x, N)
    expectAllClose(forward(params, a1, N, { from: 1 }).output, full, { rtol: 1e-5, atol: 1e-5 })
    expect(a1.length).toBe(N * SIZES[1])
    // Zeroing W_2 leaves only the biases downstream of layer 2: every input gives one output.
    const zero = new Map([[2, new Float32Array(SIZES[2] * SIZES[1])]])
    const cut = forward(params, a1, N, { from: 1, weights: zero }).output
    for (let s = 1; s < N; s++) {
      expectAllClose(cut.subarray(s * 4, s * 4 + 4), cut.subarray(0, 4), { atol: 1e-6 })
    }
  })

  it('gives the same rows in one call as in many (inputs beyond one batch)', () => {
    const rng = createRng(8)
    const params = randomMlp(SIZES, 'relu', rng)
    const n = 9000
    const x = inputs(rng, n)
    const all = forward(params, x, n, { derivatives: true })
    const tail = forward(params, x.subarray(8000 * SIZES[0]), n - 8000, { derivatives: true })
    expect(Array.from(all.output.subarray(8000 * 4))).toEqual(Array.from(tail.output))
    expect(Array.from(all.derivatives[1].subarray(8000 * 5))).toEqual(
      Array.from(tail.derivatives[1]),
    )
  })

  it('preserves the function with learned oblique transforms (max |Δ logit| < 1e-4), and only with T⁻¹', async () => {
    const rng = createRng(53)
    const params = randomMlp(SIZES, 'relu', rng)
    const n = 64
    const data = layerData(params, inputs(rng, n), n)
    const problem = createObliqueProblem({
      data,
      bases: [null, null, null, null],
      free: asSpaces(1, 2),
      layers: asLayers(1, 2, 3),
      measure: createMeasure({ name: 'hoyer' }),
    })
    const result = await obliqueAdam({
      lr: 0.02,
      finalLrFraction: 0.05,
      beta1: 0.9,
      beta2: 0.999,
      batchSize: null,
      barrier: 0.3,
    }).optimize(
      problem,
      [transpose(randomOblique(6, rng).forward), identity(5)].map(normalizeColumns),
      { maxSteps: 200, budgetSeconds: 60, gradTol: 0 },
      { rng: createRng(1) },
    )
    const [m1, m2] = result.rotations
    // Learned, and clearly oblique.
    expect(conditionNumber(m1)).toBeGreaterThan(1.2)
    expect(conditionNumber(m2)).toBeGreaterThan(1.05)
    const changes = [null, transformOf('oblique', m1), transformOf('oblique', m2), null]
    const x = inputs(createRng(54), 200)
    const original = predictLogits(params, x, 200)
    expect(maxAbsDiff(predictLogits(params, x, 200, changes), original)).toBeLessThan(1e-4)
    // Treating T as a rotation (Tᵀ for T⁻¹) would not preserve it.
    const pretend = changes.map((t) => t && { forward: t.forward, inverse: transpose(t.forward) })
    expect(maxAbsDiff(predictLogits(params, x, 200, pretend), original)).toBeGreaterThan(1e-2)
  })
})
