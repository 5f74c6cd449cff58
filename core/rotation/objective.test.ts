import { randomMlp } from '../../test/helpers/random.ts'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import { type LayerData, layerData } from '../jacobian/layer-data.ts'
import { type Mat, axpby, clone, identity, mat, matmul, matmulNT, skew } from '../linalg/matrix.ts'
import type { Activation } from '../model/mlp.ts'
import { type Rng, createRng } from '../random/prng.ts'
import { type Measure, type MeasureSpec, createMeasure } from '../sparsity/measures/index.ts'
import { layerObjective } from './objective.ts'
import { createProblem } from './problem.ts'
import { cayleyStep, haarRotation } from './retraction.ts'
import { asLayers, asSpaces } from '../model/indices.ts'

beforeAll(async () => {
  await initCompute()
})

const SIZES = [7, 6, 5, 4]
const N = 9

function randomInputs(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n * SIZES[0] }, () => rng.normal())
}

// ---- float64 reference ----

type Reference = (j: Float64Array) => number

const sum = (j: Float64Array, f: (v: number) => number): number => {
  let s = 0
  for (const v of j) s += f(v)
  return s
}
const refL1: Reference = (j) => sum(j, Math.abs)
const refLp =
  (p: number, eps: number): Reference =>
  (j) =>
    sum(j, (v) => Math.pow(v * v + eps * eps, p / 2))
const refLog =
  (eps: number): Reference =>
  (j) =>
    sum(j, (v) => Math.log(1 + (v * v) / (eps * eps)))
const refHoyer: Reference = (j) => {
  const l2 = Math.sqrt(sum(j, (v) => v * v))
  return l2 === 0 ? 0 : refL1(j) / l2
}
const refQuartimax: Reference = (j) => -sum(j, (v) => v ** 4)

/** J_x = R_out·diag(d_x)·W·R_inᵀ for every input (one for the logit layer), in float64. */
function naiveJacobians(data: LayerData, rIn: Mat | null, rOut: Mat | null): Float64Array[] {
  const w = mat(data.outDim, data.inDim, data.weight)
  const m = rIn ? matmulNT(w, rIn) : w
  const count = data.derivatives ? data.n : 1
  return Array.from({ length: count }, (_, x) => {
    const dm = clone(m)
    if (data.derivatives) {
      for (let i = 0; i < data.outDim; i++) {
        const s = data.derivatives[x * data.outDim + i]
        for (let c = 0; c < data.inDim; c++) dm.data[i * data.inDim + c] *= s
      }
    }
    return rOut ? matmul(rOut, dm).data : dm.data
  })
}

function naiveObjective(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  ref: Reference,
): number {
  const js = naiveJacobians(data, rIn, rOut)
  return js.reduce((acc, j) => acc + ref(j), 0) / js.length
}

/** Central differences of f at R for the given entries of R. */
function fdEntries(f: (r: Mat) => number, r: Mat, entries: readonly number[], h: number): number[] {
  return entries.map((e) => {
    const plus = clone(r)
    const minus = clone(r)
    plus.data[e] += h
    minus.data[e] -= h
    return (f(plus) - f(minus)) / (2 * h)
  })
}

/**
 * Both gradients of `r` against float64 central differences (step 1e-6) of `f`, every entry;
 * a null side is the identity, whose gradient is still the one at R = I.
 */
function expectFiniteDifferences(
  r: { gradIn: Mat | null; gradOut: Mat | null },
  dk: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  f: (rIn: Mat | null, rOut: Mat | null) => number,
  name: string,
): void {
  const all = (n: number) => Array.from({ length: n }, (_, e) => e)
  const h = 1e-6
  const fdOut = fdEntries((ro) => f(rIn, ro), rOut ?? identity(dk.outDim), all(dk.outDim ** 2), h)
  const fdIn = fdEntries((ri) => f(ri, rOut), rIn ?? identity(dk.inDim), all(dk.inDim ** 2), h)
  expectAllClose(r.gradOut!.data, fdOut, {
    rtol: 1e-3,
    atol: 1e-4 * maxAbs(fdOut) + 1e-9,
    label: `${name} gradOut`,
  })
  expectAllClose(r.gradIn!.data, fdIn, {
    rtol: 1e-3,
    atol: 1e-4 * maxAbs(fdIn) + 1e-9,
    label: `${name} gradIn`,
  })
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]))
  return m
}

function pick(entries: number, count: number, rng: Rng): number[] {
  return Array.from({ length: count }, () => rng.int(entries))
}

interface MeasureCase {
  readonly label: string
  readonly measure: Measure
  readonly ref: Reference
}

/** For the value check: the defaults, including lp's sharp ε = 1e-3. */
const VALUE_CASES: MeasureCase[] = [
  { label: 'l1', measure: createMeasure({ name: 'l1' }), ref: refL1 },
  {
    label: 'lp p=0.5 eps=1e-3',
    measure: createMeasure({ name: 'lp', p: 0.5, eps: 1e-3 }),
    ref: refLp(0.5, 1e-3),
  },
  {
    label: 'lp p=0.7 eps=1e-3',
    measure: createMeasure({ name: 'lp', p: 0.7, eps: 1e-3 }),
    ref: refLp(0.7, 1e-3),
  },
  { label: 'log eps=0.1', measure: createMeasure({ name: 'log', eps: 0.1 }), ref: refLog(0.1) },
  { label: 'hoyer', measure: createMeasure({ name: 'hoyer' }), ref: refHoyer },
  { label: 'quartimax', measure: createMeasure({ name: 'quartimax' }), ref: refQuartimax },
]

/** For the gradient checks: lp with ε = 0.1, whose curvature float32 J can resolve. */
const GRAD_CASES: MeasureCase[] = [
  VALUE_CASES[0],
  {
    label: 'lp p=0.5 eps=0.1',
    measure: createMeasure({ name: 'lp', p: 0.5, eps: 0.1 }),
    ref: refLp(0.5, 0.1),
  },
  {
    label: 'lp p=0.7 eps=0.1',
    measure: createMeasure({ name: 'lp', p: 0.7, eps: 0.1 }),
    ref: refLp(0.7, 0.1),
  },
  ...VALUE_CASES.slice(3),
]

/** Layer k with rotations on neither, either or both sides; the logit layer too. */
const CONFIGS: { k: number; inRot: boolean; outRot: boolean }[] = [
  { k: 1, inRot: false, outRot: true },
  { k: 1, inRot: true, outRot: true },
  { k: 2, inRot: true, outRot: true },
  { k: 2, inRot: true, outRot: false },
  { k: 2, inRot: false, outRot: false },
  { k: 3, inRot: true, outRot: false },
  { k: 3, inRot: true, outRot: true },
]

function setup(activation: Activation, seed: number) {
  const rng = createRng(seed)
  const params = randomMlp(SIZES, activation, rng)
  const x = randomInputs(N, rng)
  const data = layerData(params, x, N)
  const bases = SIZES.map((d) => haarRotation(d, rng))
  return { rng, params, x, data, bases }
}

describe('layerObjective', () => {
  for (const activation of ['gelu', 'relu'] as const) {
    // Built after initBackend: tfjs must not run while the tests are being collected.
    let data: LayerData[]
    let bases: Mat[]
    beforeAll(() => ({ data, bases } = setup(activation, activation === 'gelu' ? 21 : 22)))

    it(`${activation}: value is the mean of S(J_x) over the inputs`, () => {
      for (const { label, measure, ref } of VALUE_CASES) {
        for (const { k, inRot, outRot } of CONFIGS) {
          const rIn = inRot ? bases[k - 1] : null
          const rOut = outRot ? bases[k] : null
          const r = layerObjective(data[k - 1], rIn, rOut, measure, { in: false, out: false })
          expect(r.gradIn).toBeNull()
          expect(r.gradOut).toBeNull()
          expectClose(r.value, naiveObjective(data[k - 1], rIn, rOut, ref), {
            rtol: 1e-5,
            label: `${label} layer ${k} in ${inRot} out ${outRot}`,
          })
        }
      }
    })

    it(`${activation}: gradOut and gradIn match float64 finite differences`, () => {
      for (const { label, measure, ref } of GRAD_CASES) {
        for (const { k, inRot, outRot } of CONFIGS) {
          const dk = data[k - 1]
          const rIn = inRot ? bases[k - 1] : null
          const rOut = outRot ? bases[k] : null
          const name = `${label} layer ${k} in ${inRot} out ${outRot}`
          if (label === 'l1') {
            // Keep l1's kink out of the stencil: every entry is exactly 0 (a dead relu row
            // in the neuron basis, where both sides agree on 0) or well away from it.
            for (const j of naiveJacobians(dk, rIn, rOut)) {
              for (const v of j) if (v !== 0) expect(Math.abs(v), name).toBeGreaterThan(1e-5)
            }
          }
          const r = layerObjective(dk, rIn, rOut, measure, { in: true, out: true })
          expect([r.gradOut!.rows, r.gradOut!.cols]).toEqual([dk.outDim, dk.outDim])
          expect([r.gradIn!.rows, r.gradIn!.cols]).toEqual([dk.inDim, dk.inDim])
          expectFiniteDifferences(
            r,
            dk,
            rIn,
            rOut,
            (ri, ro) => naiveObjective(dk, ri, ro, ref),
            name,
          )
        }
      }
    })

    it(`${activation}: gradients match finite differences of layerObjective itself`, () => {
      // The float32 pipeline end to end, step 1e-3, a few random entries per rotation.
      // Smooth measures only: a 1e-3 step moves small entries of J across the kink at 0
      // of l1 and hoyer (the float64 check above covers those with a 1e-6 step).
      const rng = createRng(7)
      const smooth = GRAD_CASES.filter((c) => c.label !== 'l1' && c.label !== 'hoyer')
      for (const { label, measure } of smooth) {
        for (const { k, inRot, outRot } of CONFIGS) {
          const dk = data[k - 1]
          const rIn = inRot ? bases[k - 1] : null
          const rOut = outRot ? bases[k] : null
          const name = `${label} layer ${k} in ${inRot} out ${outRot}`
          const value = (ri: Mat | null, ro: Mat | null) =>
            layerObjective(dk, ri, ro, measure, { in: false, out: false }).value
          const r = layerObjective(dk, rIn, rOut, measure, { in: true, out: true })
          const outEntries = pick(dk.outDim * dk.outDim, 4, rng)
          const inEntries = pick(dk.inDim * dk.inDim, 4, rng)
          const h = 1e-3
          const fdOut = fdEntries(
            (ro) => value(rIn, ro),
            rOut ?? identity(dk.outDim),
            outEntries,
            h,
          )
          const fdIn = fdEntries((ri) => value(ri, rOut), rIn ?? identity(dk.inDim), inEntries, h)
          expectAllClose(
            outEntries.map((e) => r.gradOut!.data[e]),
            fdOut,
            { rtol: 2e-2, atol: 2e-3 * maxAbs(r.gradOut!.data) + 1e-6, label: `${name} gradOut` },
          )
          expectAllClose(
            inEntries.map((e) => r.gradIn!.data[e]),
            fdIn,
            { rtol: 2e-2, atol: 2e-3 * maxAbs(r.gradIn!.data) + 1e-6, label: `${name} gradIn` },
          )
        }
      }
    })
  }

  it('computes only the gradients asked for', () => {
    const { data, bases } = setup('tanh', 3)
    const measure = createMeasure({ name: 'log', eps: 0.1 })
    const both = layerObjective(data[1], bases[1], bases[2], measure, { in: true, out: true })
    const outOnly = layerObjective(data[1], bases[1], bases[2], measure, { in: false, out: true })
    const inOnly = layerObjective(data[1], bases[1], bases[2], measure, { in: true, out: false })
    expect(outOnly.gradIn).toBeNull()
    expect(inOnly.gradOut).toBeNull()
    expect(outOnly.gradOut!.data).toEqual(both.gradOut!.data)
    expect(inOnly.gradIn!.data).toEqual(both.gradIn!.data)
    expect(outOnly.value).toBe(both.value)
  })
})

describe('createProblem', () => {
  const measure = createMeasure({ name: 'log', eps: 0.1 })
  const ref = refLog(0.1)
  const all = { in: true, out: true }

  it('sums the layers and routes each gradient to its free rotation', () => {
    const { data, bases } = setup('tanh', 31)
    const spec = { data, bases: [null, bases[1], bases[2], null], measure }
    // Free in reverse order: routing must go by activation-space index, not position.
    const problem = createProblem({ ...spec, free: asSpaces(2, 1), layers: asLayers(1, 2, 3) })
    expect(problem.dims).toEqual([5, 6])
    expect(problem.nSamples).toBe(N)
    const r = problem.evaluate([bases[2], bases[1]], { grad: true })
    const l1 = layerObjective(data[0], null, bases[1], measure, all)
    const l2 = layerObjective(data[1], bases[1], bases[2], measure, all)
    const l3 = layerObjective(data[2], bases[2], null, measure, all)
    expect(r.perLayer).toEqual([l1.value, l2.value, l3.value])
    expectClose(r.value, l1.value + l2.value + l3.value, { rtol: 1e-14 })
    expectClose(
      r.value,
      naiveObjective(data[0], null, bases[1], ref) +
        naiveObjective(data[1], bases[1], bases[2], ref) +
        naiveObjective(data[2], bases[2], null, ref),
      { rtol: 1e-5 },
    )
    // R_2 is the output of layer 2 and the input of layer 3: it gets both.
    expectAllClose(r.grads![0].data, axpby(1, l2.gradOut!, 1, l3.gradIn!).data, { rtol: 1e-14 })
    expectAllClose(r.grads![1].data, axpby(1, l1.gradOut!, 1, l2.gradIn!).data, { rtol: 1e-14 })

    // And end to end: directional derivatives of the summed value.
    const rng = createRng(4)
    const h = 1e-3
    for (let i = 0; i < 2; i++) {
      const dims = problem.dims[i]
      const dir = mat(
        dims,
        dims,
        Array.from({ length: dims * dims }, () => rng.normal()),
      )
      const at = (s: number) => {
        const rs = [bases[2], bases[1]].map((b, j) => (j === i ? axpby(1, b, s, dir) : b))
        return problem.evaluate(rs, { grad: false }).value
      }
      const fd = (at(h) - at(-h)) / (2 * h)
      let analytic = 0
      for (let e = 0; e < dir.data.length; e++) analytic += r.grads![i].data[e] * dir.data[e]
      expectClose(analytic, fd, { rtol: 2e-2, atol: 1e-3, label: `direction ${i}` })
    }

    expect(problem.evaluate([bases[2], bases[1]], { grad: false }).grads).toBeNull()
    // The spec's bases are read, never written.
    expect(spec.bases[1]).toBe(bases[1])
    expect(spec.bases[2]).toBe(bases[2])
  })

  it('frees R_0 and R_L, reads fixed rotations from the bases, zeros untouched ones', () => {
    const { data, bases } = setup('gelu', 32)
    const spec = { data, bases: [null, bases[1], bases[2], null], measure }
    const ends = createProblem({ ...spec, free: asSpaces(0, 3), layers: asLayers(1, 2, 3) })
    expect(ends.dims).toEqual([7, 4])
    const r = ends.evaluate([bases[0], bases[3]], { grad: true })
    const l1 = layerObjective(data[0], bases[0], bases[1], measure, all)
    const l2 = layerObjective(data[1], bases[1], bases[2], measure, all)
    const l3 = layerObjective(data[2], bases[2], bases[3], measure, all)
    expect(r.perLayer).toEqual([l1.value, l2.value, l3.value])
    expectAllClose(r.grads![0].data, l1.gradIn!.data, { rtol: 1e-14 })
    expectAllClose(r.grads![1].data, l3.gradOut!.data, { rtol: 1e-14 })

    // R_2 is free but only layer 1 is in the objective: its gradient is zero.
    const partial = createProblem({ ...spec, free: asSpaces(1, 2), layers: asLayers(1) })
    const p = partial.evaluate([bases[1], bases[2]], { grad: true })
    const only = layerObjective(data[0], null, bases[1], measure, all)
    expect(p.perLayer).toEqual([only.value])
    expect(p.value).toBe(only.value)
    expectAllClose(p.grads![0].data, only.gradOut!.data, { rtol: 1e-14 })
    expect([p.grads![1].rows, p.grads![1].cols]).toEqual([5, 5])
    expect(Array.from(p.grads![1].data)).toEqual(new Array(25).fill(0))
  })

  it('evaluates sample subsets as exactly those inputs', () => {
    const { params, x, data, bases } = setup('relu', 33)
    const rotations = [bases[1], bases[2]]
    const spec = {
      bases: [null, bases[1], bases[2], null],
      measure,
      free: asSpaces(1, 2),
      layers: asLayers(1, 2, 3),
    }
    const problem = createProblem({ ...spec, data })
    const samples = [8, 3, 0, 5, 3]
    const xs = new Float32Array(samples.length * SIZES[0])
    samples.forEach((s, i) => xs.set(x.subarray(s * SIZES[0], (s + 1) * SIZES[0]), i * SIZES[0]))
    const subData = layerData(params, xs, samples.length)
    const sub = createProblem({ ...spec, data: subData })
    expect(sub.nSamples).toBe(samples.length)

    const a = problem.evaluate(rotations, { grad: true, samples })
    const b = sub.evaluate(rotations, { grad: true })
    expectAllClose(a.perLayer, b.perLayer, { rtol: 1e-6 })
    expectClose(a.value, b.value, { rtol: 1e-6 })
    a.grads!.forEach((g, i) =>
      expectAllClose(g.data, b.grads![i].data, { rtol: 1e-5, atol: 1e-7, label: `grad ${i}` }),
    )
    const naive = [
      naiveObjective(subData[0], null, bases[1], ref),
      naiveObjective(subData[1], bases[1], bases[2], ref),
      naiveObjective(subData[2], bases[2], null, ref),
    ]
    expectAllClose(a.perLayer, naive, { rtol: 1e-5 })
    // The full set differs (so the subset was really used), except at the logit layer,
    // whose Jacobian does not depend on the input.
    const full = problem.evaluate(rotations, { grad: false })
    expect(Math.abs(full.perLayer[0] - a.perLayer[0])).toBeGreaterThan(1e-3)
    expect(full.perLayer[2]).toBe(a.perLayer[2])
  })
})

// ---- the edge term and IRLS's majorizer ----

/** ψ with S(J) = Σ ψ(J²), in float64: the edge term is Σ ψ(E). */
type Psi = (u: number) => number
const psiL1: Psi = Math.sqrt
const psiLp =
  (p: number, eps: number): Psi =>
  (u) =>
    Math.pow(u + eps * eps, p / 2)
const psiLog =
  (eps: number): Psi =>
  (u) =>
    Math.log(1 + u / (eps * eps))

/** E_ij = mean_x J_ij(x)², straight from the Jacobians, in float64. */
function naiveEdgeMoments(data: LayerData, rIn: Mat | null, rOut: Mat | null): Float64Array {
  const js = naiveJacobians(data, rIn, rOut)
  const e = new Float64Array(js[0].length)
  for (const j of js) for (let i = 0; i < e.length; i++) e[i] += (j[i] * j[i]) / js.length
  return e
}

function naiveEdge(data: LayerData, rIn: Mat | null, rOut: Mat | null, psi: Psi): number {
  return naiveEdgeMoments(data, rIn, rOut).reduce((acc, u) => acc + psi(u), 0)
}

/** The measures with an edge form. */
type SquareSpec = Extract<MeasureSpec, { name: 'l1' | 'lp' | 'log' }>

interface EdgeCase {
  readonly label: string
  readonly spec: SquareSpec
  readonly psi: Psi
  readonly ref: Reference
}

const EDGE_CASES: EdgeCase[] = [
  { label: 'l1', spec: { name: 'l1' }, psi: psiL1, ref: refL1 },
  {
    label: 'lp p=0.5 eps=0.1',
    spec: { name: 'lp', p: 0.5, eps: 0.1 },
    psi: psiLp(0.5, 0.1),
    ref: refLp(0.5, 0.1),
  },
  {
    label: 'lp p=0.8 eps=0.05',
    spec: { name: 'lp', p: 0.8, eps: 0.05 },
    psi: psiLp(0.8, 0.05),
    ref: refLp(0.8, 0.05),
  },
  { label: 'log eps=0.1', spec: { name: 'log', eps: 0.1 }, psi: psiLog(0.1), ref: refLog(0.1) },
]

describe('the edge term', () => {
  for (const activation of ['gelu', 'relu'] as const) {
    let data: LayerData[]
    let bases: Mat[]
    beforeAll(() => ({ data, bases } = setup(activation, activation === 'gelu' ? 41 : 42)))

    it(`${activation}: value and gradients match float64 finite differences of Σ ψ(mean_x J²)`, () => {
      for (const { label, spec, psi } of EDGE_CASES) {
        const measure = createMeasure({ ...spec, perInput: 0, edge: 1 })
        for (const { k, inRot, outRot } of CONFIGS) {
          const dk = data[k - 1]
          const rIn = inRot ? bases[k - 1] : null
          const rOut = outRot ? bases[k] : null
          const name = `edge ${label} layer ${k} in ${inRot} out ${outRot}`
          const r = layerObjective(dk, rIn, rOut, measure, { in: true, out: true })
          expectClose(r.value, naiveEdge(dk, rIn, rOut, psi), { rtol: 1e-5, label: name })
          expectFiniteDifferences(r, dk, rIn, rOut, (ri, ro) => naiveEdge(dk, ri, ro, psi), name)
        }
      }
    })

    it(`${activation}: a mix is α·(per-input) + β·(edge), gradients alike`, () => {
      const { spec } = EDGE_CASES[1]
      const perInput = createMeasure(spec)
      const edge = createMeasure({ ...spec, perInput: 0, edge: 1 })
      const mix = createMeasure({ ...spec, perInput: 0.25, edge: 3 })
      expect(mix.spec).toEqual({ ...spec, perInput: 0.25, edge: 3 })
      expect(perInput.mix).toEqual({ perInput: 1, edge: 0 })
      const all = { in: true, out: true }
      for (const { k } of CONFIGS.filter((c) => c.inRot && c.outRot)) {
        const args = [data[k - 1], bases[k - 1], bases[k]] as const
        const a = layerObjective(...args, perInput, all)
        const b = layerObjective(...args, edge, all)
        const m = layerObjective(...args, mix, all)
        expectClose(m.value, 0.25 * a.value + 3 * b.value, { rtol: 1e-12 })
        expectAllClose(m.gradOut!.data, axpby(0.25, a.gradOut!, 3, b.gradOut!).data, {
          rtol: 1e-12,
          atol: 1e-15,
        })
        expectAllClose(m.gradIn!.data, axpby(0.25, a.gradIn!, 3, b.gradIn!).data, {
          rtol: 1e-12,
          atol: 1e-15,
        })
      }
    })
  }

  it('is the per-input measure at the logit layer, where J is the same at every input', () => {
    const { data, bases } = setup('relu', 43)
    for (const { spec } of EDGE_CASES) {
      const a = layerObjective(data[2], bases[2], null, createMeasure(spec), {
        in: true,
        out: false,
      })
      const b = layerObjective(
        data[2],
        bases[2],
        null,
        createMeasure({ ...spec, perInput: 0, edge: 1 }),
        {
          in: true,
          out: false,
        },
      )
      expectClose(b.value, a.value, { rtol: 1e-6 })
      expectAllClose(b.gradIn!.data, a.gradIn!.data, {
        rtol: 1e-4,
        atol: 1e-6 * maxAbs(a.gradIn!.data),
      })
    }
  })

  it('sees every objective input under a minibatch: the per-input term is the batch’s, the edge term exact', () => {
    const { data, bases } = setup('relu', 44)
    const spec = { name: 'lp', p: 0.5, eps: 0.1 } as const
    const problem = (m: SquareSpec) =>
      createProblem({
        data,
        bases: [null, bases[1], bases[2], null],
        free: asSpaces(1, 2),
        layers: asLayers(1, 2, 3),
        measure: createMeasure(m),
      })
    const samples = [0, 4, 7]
    const rotations = [bases[1], bases[2]]
    const edgeOnly = problem({ ...spec, perInput: 0, edge: 1 })
    const full = edgeOnly.evaluate(rotations, { grad: true })
    const batch = edgeOnly.evaluate(rotations, { grad: true, samples })
    expect(batch.perLayer).toEqual(full.perLayer)
    batch.grads!.forEach((g, i) => expect(g.data).toEqual(full.grads![i].data))
    const mixed = problem({ ...spec, perInput: 1, edge: 2 }).evaluate(rotations, {
      grad: false,
      samples,
    })
    const perInput = problem(spec).evaluate(rotations, { grad: false, samples })
    mixed.perLayer.forEach((v, i) =>
      expectClose(v, perInput.perLayer[i] + 2 * full.perLayer[i], { rtol: 1e-10 }),
    )
  })
})

describe('the majorizer (IRLS)', () => {
  const specs: MeasureSpec[] = [
    { name: 'lp', p: 0.5, eps: 0.1 },
    { name: 'lp', p: 0.5, eps: 0.1, perInput: 0.5, edge: 2 },
    { name: 'log', eps: 0.1, perInput: 0, edge: 1 },
  ]

  it('touches the objective at the anchor, gradient included, and lies above it elsewhere', () => {
    const { data, bases, rng } = setup('relu', 51)
    for (const spec of specs) {
      const problem = createProblem({
        data,
        bases: [null, bases[1], bases[2], null],
        free: asSpaces(1, 2),
        layers: asLayers(1, 2, 3),
        measure: createMeasure(spec),
      })
      const anchor = [bases[1], bases[2]]
      const maj = problem.majorizer!(anchor)
      const f0 = problem.evaluate(anchor, { grad: true })
      const m0 = maj.evaluate(anchor, { grad: true })
      const label = JSON.stringify(spec)
      expectClose(m0.objective, f0.value, { rtol: 1e-6, label })
      m0.grads!.forEach((g, i) =>
        expectAllClose(g.data, f0.grads![i].data, {
          rtol: 1e-4,
          atol: 1e-5 * maxAbs(f0.grads![i].data),
          label: `${label} gradient at the anchor`,
        }),
      )
      for (let t = 0; t < 5; t++) {
        const moved = anchor.map((r) => matmul(haarNear(r.rows, 0.3, rng), r))
        const f = problem.evaluate(moved, { grad: false }).value
        const m = maj.evaluate(moved, { grad: false })
        expectClose(m.objective, f, { rtol: 1e-6, label: `${label} objective` })
        // f(R) ≤ f(R₀) + Q(R) − Q(R₀)
        expect(f, label).toBeLessThanOrEqual(f0.value + m.value - m0.value + 1e-6 * Math.abs(f))
      }
    }
  })

  it('refuses measures it cannot majorize (l1, hoyer)', () => {
    const { data, bases } = setup('relu', 52)
    for (const spec of [{ name: 'l1' }, { name: 'hoyer' }] as MeasureSpec[]) {
      const problem = createProblem({
        data,
        bases: [null, bases[1], bases[2], null],
        free: asSpaces(1),
        layers: asLayers(2),
        measure: createMeasure(spec),
      })
      expect(() => problem.majorizer!([bases[1]])).toThrow(/majorizer|edge form/)
    }
  })
})

/** A rotation near the identity: the Cayley step of a random skew matrix of entries ~`size`. */
function haarNear(n: number, size: number, rng: Rng): Mat {
  const a = mat(
    n,
    n,
    Array.from({ length: n * n }, () => rng.normal() * size),
  )
  return cayleyStep(identity(n), skew(a))
}
