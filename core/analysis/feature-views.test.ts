import { beforeAll, describe, expect, it } from 'vitest'
import { randomMlp } from '../../test/helpers/random.ts'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import { activateScalar } from '../model/activation.ts'
import { type LayerData, layerData } from '../jacobian/layer-data.ts'
import { RotatedLayer } from '../jacobian/rotated.ts'
import { mat, matmul, matmulNT } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import { createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import {
  activationSpread,
  directionTemplate,
  meanJacobian,
  topActivating,
  topPerColumn,
} from './feature-views.ts'

beforeAll(async () => {
  await initCompute()
})

describe('topActivating', () => {
  it('finds the inputs of the one kind a planted direction responds to', () => {
    // Hidden unit j = relu(x_j − 0.5): active only for inputs of kind j, whose x_j ∈ [1, 2];
    // other coordinates are noise in [0, 0.3]. 12 inputs per kind, interleaved.
    const rng = createRng(71)
    const d = 4
    const perKind = 12
    const n = d * perKind
    const x = new Float32Array(n * d)
    const kind = new Int32Array(n)
    for (let s = 0; s < n; s++) {
      kind[s] = s % d
      for (let c = 0; c < d; c++) x[s * d + c] = c === kind[s] ? 1 + rng.next() : 0.3 * rng.next()
    }
    const w1 = new Float32Array(d * d)
    for (let j = 0; j < d; j++) w1[j * d + j] = 1
    const base = randomMlp([d, d, 3], 'relu', rng)
    const params: MlpParams = {
      ...base,
      layers: [
        { ...base.layers[0], weight: w1, bias: new Float32Array(d).fill(-0.5) },
        base.layers[1],
      ],
    }
    // R_1 a permutation: direction i reads unit perm[i].
    const perm = [2, 0, 3, 1]
    const r1 = mat(d, d)
    perm.forEach((u, i) => (r1.data[i * d + u] = 1))
    const tops = topActivating(params, [null, r1, null], 1, x, n)
    expect(tops).toHaveLength(d)
    tops.forEach((top, i) => {
      expect(top).toHaveLength(9)
      for (const s of top) expect(kind[s]).toBe(perm[i])
      // Largest first: by the planted coordinate itself.
      for (let r = 1; r < top.length; r++) {
        expect(x[top[r - 1] * d + perm[i]]).toBeGreaterThan(x[top[r] * d + perm[i]])
      }
    })
  })

  it('ranks by (R_k·a_k)[i] in a Haar basis, as a float64 reference does', () => {
    const rng = createRng(72)
    const sizes = [5, 6, 4]
    const params = randomMlp(sizes, 'gelu', rng)
    const n = 40
    const x = Float32Array.from({ length: n * 5 }, () => rng.normal())
    const r1 = haarRotation(6, rng)
    // Reference: ã_1 = R_1·σ(W_1 x + b_1) in float64, ranked.
    const l = params.layers[0]
    const rotated: number[] = []
    for (let s = 0; s < n; s++) {
      const a = Array.from({ length: 6 }, (_, i) => {
        let z = l.bias[i]
        for (let c = 0; c < 5; c++) z += l.weight[i * 5 + c] * x[s * 5 + c]
        return activateScalar(z, 'gelu')
      })
      for (let i = 0; i < 6; i++)
        rotated.push(a.reduce((acc, ac, c) => acc + r1.data[i * 6 + c] * ac, 0))
    }
    const tops = topActivating(params, [null, r1, null], 1, x, n, 5)
    for (let i = 0; i < 6; i++) {
      const expected = Array.from({ length: n }, (_, s) => s)
        .sort((a, b) => rotated[b * 6 + i] - rotated[a * 6 + i])
        .slice(0, 5)
      expect(Array.from(tops[i])).toEqual(expected)
    }
    // The logit space and the neuron basis work too.
    expect(topActivating(params, [null, null, null], 2, x, n, 3)).toHaveLength(4)
  })

  it('topPerColumn: descending, ties to the earlier row, capped at n', () => {
    const values = [1, 5, 3, 5, 3, 0, 2, 5]
    // 4 rows × 2 columns: column 0 = [1, 3, 3, 2], column 1 = [5, 5, 0, 5].
    const tops = topPerColumn(values, 4, 2, 3)
    expect(Array.from(tops[0])).toEqual([1, 2, 3])
    expect(Array.from(tops[1])).toEqual([0, 1, 3])
    expect(Array.from(topPerColumn(values, 4, 2, 10)[0])).toEqual([1, 2, 3, 0])
  })
})

describe('meanJacobian', () => {
  it('matches the analytic mean on a tiny relu layer', () => {
    // W = [[1, 2], [−1, 1]], b = 0, inputs (1,0), (0,1), (−1,0):
    // z = (1,−1), (2,1), (−1,1) → D = (1,0), (1,1), (0,1); mean D = (2/3, 2/3).
    // mean D·W = [[2/3, 4/3], [−2/3, 2/3]]; with R_1 the 90° rotation [[0,−1],[1,0]]:
    // R_1·mean(D·W) = [[2/3, −2/3], [2/3, 4/3]].
    const params: MlpParams = {
      sizes: [2, 2, 1],
      activation: 'relu',
      layers: [
        {
          inDim: 2,
          outDim: 2,
          weight: Float32Array.from([1, 2, -1, 1]),
          bias: new Float32Array(2),
        },
        { inDim: 2, outDim: 1, weight: Float32Array.from([1, 1]), bias: new Float32Array(1) },
      ],
    }
    const x = Float32Array.from([1, 0, 0, 1, -1, 0])
    const data = layerData(params, x, 3)
    expectAllClose(meanJacobian(data[0], null, null), [2 / 3, 4 / 3, -2 / 3, 2 / 3], { atol: 1e-6 })
    const r1 = mat(2, 2, [0, -1, 1, 0])
    const meanJ = meanJacobian(data[0], null, r1)
    expectAllClose(meanJ, [2 / 3, -2 / 3, 2 / 3, 4 / 3], { atol: 1e-6 })
    // Direction 1's input template is its row.
    expectAllClose(directionTemplate(meanJ, 2, 1), [2 / 3, 4 / 3], { atol: 1e-6 })
    // The logit layer has D = I: its mean is R_out·W·R_inᵀ itself.
    // W·R_inᵀ = [1, 1]·[[0, 1], [−1, 0]] = [−1, 1].
    expectAllClose(meanJacobian(data[1], r1, null), [-1, 1], { atol: 1e-6 })
  })

  it('equals the mean of per-input Jacobians in Haar bases', () => {
    const rng = createRng(73)
    const sizes = [6, 5, 3]
    const params = randomMlp(sizes, 'tanh', rng)
    const n = 30
    const x = Float32Array.from({ length: n * 6 }, () => rng.normal())
    const data: LayerData = layerData(params, x, n)[0]
    const rIn = haarRotation(6, rng)
    const rOut = haarRotation(5, rng)
    // Reference in float64: mean_x R_out·D(x)·W·R_inᵀ.
    const l = params.layers[0]
    const meanDW = new Float64Array(30)
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < 5; i++) {
        let z = l.bias[i]
        for (let c = 0; c < 6; c++) z += l.weight[i * 6 + c] * x[s * 6 + c]
        const deriv = 1 - Math.tanh(z) ** 2
        for (let c = 0; c < 6; c++) meanDW[i * 6 + c] += (deriv * l.weight[i * 6 + c]) / n
      }
    }
    const expected = matmulNT(matmul(rOut, mat(5, 6, meanDW)), rIn)
    expectAllClose(meanJacobian(data, rIn, rOut), expected.data, { atol: 1e-5 })
    // …which is also the mean of the per-input Jacobians RotatedLayer produces.
    const layer = new RotatedLayer(data, rIn, rOut)
    const perInput = layer.jacobians(data.derivatives, n)
    layer.dispose()
    const direct = new Float64Array(30)
    for (let s = 0; s < n; s++) for (let e = 0; e < 30; e++) direct[e] += perInput[s * 30 + e] / n
    expectAllClose(meanJacobian(data, rIn, rOut), direct, { atol: 1e-5 })
  })
})

describe('activationSpread', () => {
  it('is max − min per column, 0 for a constant (dead) direction and for no inputs', () => {
    // 3 inputs × 2 directions: the second never moves.
    const values = [1, 5, -2, 5, 4, 5]
    expect(Array.from(activationSpread(values, 3, 2))).toEqual([6, 0])
    expect(Array.from(activationSpread([], 0, 2))).toEqual([0, 0])
  })
})
