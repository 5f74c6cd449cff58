import { gaussian, randomMlp } from '../../../test/helpers/random.ts'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectClose } from '../../../test/helpers/tolerance.ts'
import { initCompute } from '../../backend/compute.ts'
import { type LayerData, layerData } from '../../jacobian/layer-data.ts'
import { type Mat, axpby, dot, identity, mat, matmul, transpose } from '../../linalg/matrix.ts'
import { type Rng, createRng } from '../../random/prng.ts'
import { createMeasure } from '../../sparsity/measures/index.ts'
import { createProblem } from '../problem.ts'
import { haarRotation } from '../retraction.ts'
import { inverse, normalizeColumns, obliqueProjection } from './manifold.ts'
import { createObliqueProblem } from './problem.ts'
import { asLayers, asSpaces } from '../../model/indices.ts'

beforeAll(async () => {
  await initCompute()
})

const SIZES = [7, 6, 5, 4]
const N = 12

function setup(seed: number): { data: LayerData[]; rng: Rng } {
  const rng = createRng(seed)
  const params = randomMlp(SIZES, 'relu', rng.fork('mlp'))
  const x = Float32Array.from({ length: N * SIZES[0] }, () => rng.normal())
  return { data: layerData(params, x, N), rng }
}

/** A unit-column M, well conditioned but far from orthogonal. */
function obliqueM(n: number, rng: Rng): Mat {
  return normalizeColumns(axpby(1, identity(n), 0.5, gaussian(n, n, rng)))
}

/** Σ_layers mean_x hoyer(T_out·D_x·W·M_in), all in float64 from the definition. */
function naiveObjective(data: readonly LayerData[], ms: readonly (Mat | null)[], layers: number[]) {
  let total = 0
  for (const k of layers) {
    const d = data[k - 1]
    const w = mat(d.outDim, d.inDim, d.weight)
    const right = ms[k - 1] ? matmul(w, ms[k - 1]!) : w
    const t = ms[k] ? inverse(ms[k]!) : null
    const count = d.derivatives ? d.n : 1
    let sum = 0
    for (let x = 0; x < count; x++) {
      const dm = mat(right.rows, right.cols, right.data)
      if (d.derivatives) {
        for (let i = 0; i < d.outDim; i++)
          for (let c = 0; c < d.inDim; c++)
            dm.data[i * d.inDim + c] *= d.derivatives[x * d.outDim + i]
      }
      const j = t ? matmul(t, dm) : dm
      let l1 = 0
      let l2 = 0
      for (const v of j.data) {
        l1 += Math.abs(v)
        l2 += v * v
      }
      sum += l2 === 0 ? 0 : l1 / Math.sqrt(l2)
    }
    total += sum / count
  }
  return total
}

describe('createObliqueProblem', () => {
  const hoyer = createMeasure({ name: 'hoyer' })

  it('evaluates Σ mean hoyer(T_k·D·W·T_{k-1}⁻¹) with T = M⁻¹, as the float64 definition', () => {
    const { data, rng } = setup(1)
    const ms = [null, obliqueM(6, rng), obliqueM(5, rng), null]
    const problem = createObliqueProblem({
      data,
      bases: ms,
      free: asSpaces(1, 2),
      layers: asLayers(1, 2, 3),
      measure: hoyer,
    })
    const r = problem.evaluate([ms[1]!, ms[2]!], { grad: false })
    expectClose(r.value, naiveObjective(data, ms, [1, 2, 3]), { rtol: 1e-5 })
  })

  it('with M = Rᵀ (T = R orthogonal) it is the rotation problem', () => {
    const { data, rng } = setup(2)
    const r1 = haarRotation(6, rng)
    const r2 = haarRotation(5, rng)
    const spec = { data, free: asSpaces(1, 2), layers: asLayers(1, 2, 3), measure: hoyer }
    const rotation = createProblem({ ...spec, bases: [null, r1, r2, null] }).evaluate([r1, r2], {
      grad: false,
    })
    const oblique = createObliqueProblem({ ...spec, bases: [null, null, null, null] }).evaluate(
      [transpose(r1), transpose(r2)],
      { grad: false },
    )
    expectClose(oblique.value, rotation.value, { rtol: 1e-6 })
  })

  it('its gradient ∂L/∂M (reading side, writing side, and both summed) matches float64 finite differences', () => {
    const { data, rng } = setup(3)
    const ms = [obliqueM(7, rng), obliqueM(6, rng), obliqueM(5, rng), null]
    // Space 0 is only read (layer 1), space 1 written by layer 1 and read by layer 2,
    // space 2 written by layer 2 and read by layer 3.
    const free = asSpaces(0, 1, 2)
    const layers = asLayers(1, 2, 3)
    const problem = createObliqueProblem({ data, bases: ms, free, layers, measure: hoyer })
    const { grads } = problem.evaluate(
      free.map((i) => ms[i]!),
      { grad: true },
    )
    const h = 1e-5
    for (const [i, space] of free.entries()) {
      for (let trial = 0; trial < 3; trial++) {
        const u = gaussian(ms[space]!.rows, ms[space]!.cols, rng.fork(`u${space}-${trial}`))
        const at = (s: number): number => {
          const moved = [...ms]
          moved[space] = axpby(1, ms[space]!, s, u)
          return naiveObjective(data, moved, layers)
        }
        const fd = (at(h) - at(-h)) / (2 * h)
        expectClose(dot(grads![i], u), fd, {
          rtol: 1e-4,
          atol: 1e-6,
          label: `space ${space}, direction ${trial}`,
        })
      }
    }
  })

  it('a wrong sign on the writing side would be caught: the check is sharp', () => {
    // Guards the test above: the writing-side term is not negligible next to the reading side.
    const { data, rng } = setup(4)
    const ms = [null, obliqueM(6, rng), null, null]
    const problem = createObliqueProblem({
      data,
      bases: ms,
      free: asSpaces(1),
      layers: asLayers(1),
      measure: hoyer,
    })
    const g = problem.evaluate([ms[1]!], { grad: true }).grads![0]
    const u = gaussian(6, 6, rng.fork('u'))
    const h = 1e-5
    const at = (s: number): number =>
      naiveObjective(data, [null, axpby(1, ms[1]!, s, u), null, null], [1])
    const fd = (at(h) - at(-h)) / (2 * h)
    expect(Math.abs(fd)).toBeGreaterThan(1e-3)
    expect(Math.abs(dot(g, u) + fd)).toBeGreaterThan(1e-3)
  })

  it('the projected gradient is tangent: each column ⟂ its own column of M', () => {
    const { data, rng } = setup(5)
    const m = obliqueM(6, rng)
    const problem = createObliqueProblem({
      data,
      bases: [null, m, null, null],
      free: asSpaces(1),
      layers: asLayers(1, 2),
      measure: hoyer,
    })
    const p = obliqueProjection(m, problem.evaluate([m], { grad: true }).grads![0])
    for (let j = 0; j < 6; j++) {
      let c = 0
      for (let i = 0; i < 6; i++) c += m.data[i * 6 + j] * p.data[i * 6 + j]
      expect(Math.abs(c)).toBeLessThan(1e-12)
    }
  })
})
