import { randomMlp } from '../../test/helpers/random.ts'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initBackend } from '../backend/tf.ts'
import { activateScalar } from '../jacobian/activation.ts'
import { predictLogits } from '../jacobian/forward.ts'
import { type Mat, mat } from '../linalg/matrix.ts'
import { type Rng, createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { ACTIVATIONS, type MlpParams } from './mlp.ts'
import { rotatedLogits } from './rotated-forward.ts'

beforeAll(async () => {
  await initBackend()
})

const SIZES = [7, 6, 5, 4]
const N = 10

function randomInputs(rng: Rng): Float32Array {
  return Float32Array.from({ length: N * SIZES[0] }, () => rng.normal())
}

/** R·v, or v for null. */
function mulVec(r: Mat | null, v: readonly number[], transposed = false): number[] {
  if (!r) return [...v]
  const rows = transposed ? r.cols : r.rows
  const inner = transposed ? r.rows : r.cols
  return Array.from({ length: rows }, (_, i) => {
    let s = 0
    for (let j = 0; j < inner; j++) {
      s += (transposed ? r.data[j * r.cols + i] : r.data[i * r.cols + j]) * v[j]
    }
    return s
  })
}

/**
 * The documented rotated network, literally, in float64: ã_0 = R_0·x,
 * ã_k = R_k·σ(W_k·R_{k-1}ᵀ·ã_{k-1} + b_k) (no σ at k = L), logits = R_Lᵀ·ã_L.
 */
function rotatedLogits64(
  params: MlpParams,
  bases: readonly (Mat | null)[],
  x: Float32Array,
): number[] {
  const L = params.layers.length
  const out: number[] = []
  for (let s = 0; s < N; s++) {
    let a = mulVec(bases[0], Array.from(x.subarray(s * SIZES[0], (s + 1) * SIZES[0])))
    params.layers.forEach((l, i) => {
      const k = i + 1
      const prev = mulVec(bases[k - 1], a, true)
      const z = Array.from({ length: l.outDim }, (_, r) => {
        let v = l.bias[r]
        for (let c = 0; c < l.inDim; c++) v += l.weight[r * l.inDim + c] * prev[c]
        return v
      })
      a = mulVec(bases[k], k < L ? z.map((v) => activateScalar(v, params.activation)) : z)
    })
    out.push(...mulVec(bases[L], a, true))
  }
  return out
}

describe('rotatedLogits', () => {
  it.each(ACTIVATIONS)('%s: rotations R_kᵀR_k = I leave the logits unchanged', (activation) => {
    const rng = createRng(41)
    const params = randomMlp(SIZES, activation, rng)
    const x = randomInputs(rng)
    const expected = predictLogits(params, x, N)
    const r = SIZES.map((d) => haarRotation(d, rng))
    const cases: [string, (Mat | null)[]][] = [
      ['all identity', [null, null, null, null]],
      ['hidden rotated', [null, r[1], r[2], null]],
      ['R_0 and R_L free too', r],
      ['mixed', [r[0], null, r[2], r[3]]],
    ]
    for (const [label, bases] of cases) {
      const logits = rotatedLogits(params, bases, x, N)
      expect(logits.length).toBe(N * SIZES[3])
      expectAllClose(logits, expected, { rtol: 1e-5, atol: 1e-5, label })
    }
  })

  it.each(ACTIVATIONS)('%s: applies each basis where the formula puts it', (activation) => {
    // With non-orthogonal matrices the bases no longer cancel, so a basis applied in the
    // wrong place, transposed, or not at all changes the result.
    const rng = createRng(42)
    const params = randomMlp(SIZES, activation, rng)
    const x = randomInputs(rng)
    const bases = SIZES.map((d) => {
      const m = mat(
        d,
        d,
        Array.from({ length: d * d }, () => 0.4 * rng.normal()),
      )
      for (let i = 0; i < d; i++) m.data[i * d + i] += 1
      return m
    })
    const logits = rotatedLogits(params, bases, x, N)
    const expected = rotatedLogits64(params, bases, x)
    expectAllClose(logits, expected, { rtol: 1e-4, atol: 1e-4 })
    // ...and differs from the plain network.
    const plain = predictLogits(params, x, N)
    let maxDiff = 0
    for (let i = 0; i < plain.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(plain[i] - logits[i]))
    expect(maxDiff).toBeGreaterThan(1e-2)
  })
})
