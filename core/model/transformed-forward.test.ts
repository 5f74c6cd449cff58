import { gaussian, randomMlp } from '../../test/helpers/random.ts'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initBackend } from '../backend/tf.ts'
import { activateScalar } from '../jacobian/activation.ts'
import { predictLogits } from '../jacobian/forward.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { type Mat, axpby, identity, transpose } from '../linalg/matrix.ts'
import { type Rng, createRng } from '../random/prng.ts'
import { conditionNumber, normalizeColumns } from '../rotation/oblique/manifold.ts'
import { createObliqueProblem } from '../rotation/oblique/problem.ts'
import { obliqueAdam } from '../rotation/optimizers/oblique-adam.ts'
import { type Transform, transformOf } from '../rotation/transform.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { ACTIVATIONS, type MlpParams } from './mlp.ts'
import { transformedLogits } from './transformed-forward.ts'

beforeAll(async () => {
  await initBackend()
})

const SIZES = [7, 6, 5, 4]
const N = 10

const inputs = (rng: Rng, n = N): Float32Array =>
  Float32Array.from({ length: n * SIZES[0] }, () => rng.normal())

/** A random oblique transform: T⁻¹ = M with unit columns, far from orthogonal. */
function randomOblique(d: number, rng: Rng): Transform {
  return transformOf('oblique', normalizeColumns(axpby(1, identity(d), 0.7, gaussian(d, d, rng))))
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** The documented formula, literally, in float64, with `forward`/`inverse` used as given. */
function transformedLogits64(
  params: MlpParams,
  transforms: readonly (Transform | null)[],
  x: Float32Array,
): number[] {
  const mul = (m: Mat | undefined, v: number[]): number[] =>
    m
      ? Array.from({ length: m.rows }, (_, i) =>
          v.reduce((s, vj, j) => s + m.data[i * m.cols + j] * vj, 0),
        )
      : v
  const L = params.layers.length
  const out: number[] = []
  for (let s = 0; s < N; s++) {
    let a = mul(transforms[0]?.forward, Array.from(x.subarray(s * SIZES[0], (s + 1) * SIZES[0])))
    params.layers.forEach((l, i) => {
      const k = i + 1
      const prev = mul(transforms[k - 1]?.inverse, a)
      const z = Array.from({ length: l.outDim }, (_, r) => {
        let v = l.bias[r]
        for (let c = 0; c < l.inDim; c++) v += l.weight[r * l.inDim + c] * prev[c]
        return v
      })
      a = mul(
        transforms[k]?.forward,
        k < L ? z.map((v) => activateScalar(v, params.activation)) : z,
      )
    })
    out.push(...mul(transforms[L]?.inverse, a))
  }
  return out
}

describe('transformedLogits', () => {
  it.each(ACTIVATIONS)('%s: inserting T_k⁻¹·T_k = I leaves the logits unchanged', (activation) => {
    const rng = createRng(51)
    const params = randomMlp(SIZES, activation, rng)
    const x = inputs(rng)
    const expected = predictLogits(params, x, N)
    const t = SIZES.map((d) => randomOblique(d, rng))
    for (const [label, transforms] of [
      ['hidden', [null, t[1], t[2], null]],
      ['all four', t],
    ] as const) {
      expectAllClose(transformedLogits(params, transforms, x, N), expected, {
        rtol: 1e-5,
        atol: 1e-5,
        label,
      })
    }
  })

  it('applies T and T⁻¹ where the formula puts them (pairs that do not invert each other)', () => {
    const rng = createRng(52)
    const params = randomMlp(SIZES, 'tanh', rng)
    const x = inputs(rng)
    const transforms = SIZES.map((d) => ({
      forward: axpby(1, identity(d), 0.4, gaussian(d, d, rng)),
      inverse: axpby(1, identity(d), 0.4, gaussian(d, d, rng)),
    }))
    const logits = transformedLogits(params, transforms, x, N)
    expectAllClose(logits, transformedLogits64(params, transforms, x), { rtol: 1e-4, atol: 1e-4 })
    expect(maxAbsDiff(logits, predictLogits(params, x, N))).toBeGreaterThan(1e-2)
  })

  it('preserves the function with learned oblique transforms (max |Δ logit| < 1e-4), and only with T⁻¹', async () => {
    const rng = createRng(53)
    const params = randomMlp(SIZES, 'relu', rng)
    const n = 64
    const data = layerData(params, inputs(rng, n), n)
    const problem = createObliqueProblem({
      data,
      bases: [null, null, null, null],
      free: [1, 2],
      layers: [1, 2, 3],
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
    const transforms = [null, transformOf('oblique', m1), transformOf('oblique', m2), null]
    const x = inputs(createRng(54), 200)
    const original = predictLogits(params, x, 200)
    expect(maxAbsDiff(transformedLogits(params, transforms, x, 200), original)).toBeLessThan(1e-4)
    // Treating T as a rotation (Tᵀ for T⁻¹) would not preserve it.
    const pretend = transforms.map(
      (t) => t && { forward: t.forward, inverse: transpose(t.forward) },
    )
    expect(maxAbsDiff(transformedLogits(params, pretend, x, 200), original)).toBeGreaterThan(1e-2)
  })
})
