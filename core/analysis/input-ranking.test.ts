import { beforeAll, describe, expect, it } from 'vitest'
import { randomMlp } from '../../test/helpers/random.ts'
import { expectAllClose } from '../../test/helpers/tolerance.ts'
import { measureDefaults } from '../api/config/measure.ts'
import { initCompute, withBackend } from '../backend/compute.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { transpose } from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import { type BasisChange, changeSides } from '../rotation/transform.ts'
import { createMeasure } from '../sparsity/measures/index.ts'
import { inputJacobians, jacobianMetrics } from './input-jacobians.ts'
import { perInputSparsity, rankByGain } from './input-ranking.ts'

beforeAll(async () => {
  await initCompute()
})

const SIZES = [9, 8, 6, 3]

describe('perInputSparsity', () => {
  const rng = createRng(21)
  const params = randomMlp(SIZES, 'relu', rng)
  const rotation = (n: number): BasisChange => {
    const r = haarRotation(n, rng)
    return { kind: 'rotation', forward: r, inverse: transpose(r) }
  }
  const sides = changeSides([null, rotation(8), rotation(6), null])
  const n = 40
  const x = Float32Array.from({ length: n * SIZES[0] }, () => rng.normal())
  let held: ReturnType<typeof layerData>
  beforeAll(() => {
    held = layerData(params, x, n)
  })
  const measure = createMeasure(measureDefaults('l1'))

  /** Each input's metrics from its own J(x), the explorer's single-input path. */
  function oneByOne(layer: number, basis: 'neuron' | 'learned') {
    const per = Array.from({ length: n }, (_, i) => {
      const l = inputJacobians(params, sides, x.subarray(i * SIZES[0], (i + 1) * SIZES[0]))[
        layer - 1
      ]
      return jacobianMetrics(l[basis], l.rows, l.cols, measure, 0.01)
    })
    return {
      nearZero: per.map((m) => m.nearZero),
      hoyerSparsity: per.map((m) => m.hoyerSparsity),
    }
  }

  it.each(['native', 'wasm'] as const)(
    'gives every input the metrics of its own J(x), in both bases (%s)',
    async (backend) => {
      const check = () => {
        for (const layer of [1, 2]) {
          const data = held[layer - 1]
          const neuron = perInputSparsity(data, null, null, 0.01)
          const learned = perInputSparsity(data, sides.in[layer - 1], sides.out[layer], 0.01)
          for (const [got, basis] of [
            [neuron, 'neuron'],
            [learned, 'learned'],
          ] as const) {
            const want = oneByOne(layer, basis)
            const label = `${backend} layer ${layer} ${basis}`
            expectAllClose(got.nearZero, want.nearZero, { atol: 1e-9, label })
            expectAllClose(got.hoyerSparsity, want.hoyerSparsity, { rtol: 1e-5, label })
          }
        }
      }
      if (backend === 'wasm') await withBackend('wasm', check)
      else check()
    },
  )

  it('has one value for the logit layer, whose J is the same for every input', () => {
    const got = perInputSparsity(held[2], sides.in[2], sides.out[3], 0.01)
    expect(got.nearZero.length).toBe(1)
  })
})

describe('rankByGain', () => {
  it('orders inputs by after − before, most gained first, ties by position', () => {
    const before = [0.5, 0.1, 0.2, 0.3, 0.1]
    const after = [0.6, 0.4, 0.2, 0.1, 0.4]
    expect(Array.from(rankByGain(before, after))).toEqual([1, 4, 0, 2, 3])
    expect(Array.from(rankByGain(before, after, 'asc'))).toEqual([3, 2, 0, 1, 4])
  })

  it('refuses lists of different lengths', () => {
    expect(() => rankByGain([1, 2], [1])).toThrow(/2 values before, 1 after/)
  })
})
