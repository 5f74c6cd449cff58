import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { createRng } from '../../random/prng.ts'
import { hoyerMeasure } from './hoyer.ts'
import { type Measure, type MeasureSpec, createMeasure, measureValue } from './index.ts'
import { l1Measure } from './l1.ts'
import { logMeasure } from './log.ts'
import { lpMeasure } from './lp.ts'
import { quartimaxMeasure } from './quartimax.ts'
import { secondMomentFactor } from './edge.ts'

/** Per-sample values and gradient of a chunk of n Jacobians of `size` entries each. */
function evaluate(
  measure: Measure,
  j: ArrayLike<number>,
  n: number,
): { values: number[]; grad: Float32Array } {
  const per = new Float64Array(n)
  const grad = new Float32Array(j.length).fill(Number.NaN)
  measure.evaluate(Float32Array.from(j), n, j.length / n, per, grad)
  return { values: [...per], grad }
}

/**
 * Central differences of S at j, all in exact float32 arithmetic on the inputs: j holds
 * dyadic values and h is a power of two, so j ± h is exactly representable and the
 * difference quotient sees only the float64 accumulation of the measure.
 */
function finiteDifferences(measure: Measure, j: readonly number[], h = 2 ** -14): number[] {
  return j.map((_, e) => {
    const plus = [...j]
    const minus = [...j]
    plus[e] += h
    minus[e] -= h
    expect(Math.fround(plus[e])).toBe(plus[e])
    expect(Math.fround(minus[e])).toBe(minus[e])
    return (measureValue(measure, plus) - measureValue(measure, minus)) / (2 * h)
  })
}

/** Dyadic entries (multiples of 2^-10) in about ±3, none within 2^-5 of zero. */
function dyadicVector(size: number, seed: number): number[] {
  const rng = createRng(seed)
  return Array.from({ length: size }, () => {
    const magnitude = 32 + rng.int(3000)
    return ((rng.next() < 0.5 ? -1 : 1) * magnitude) / 1024
  })
}

function expectGradientMatches(measure: Measure, j: readonly number[], relTol: number): void {
  const { grad } = evaluate(measure, j, 1)
  const fd = finiteDifferences(measure, j)
  const scale = Math.max(...fd.map(Math.abs))
  expectAllClose(grad, fd, { atol: relTol * scale, label: `${JSON.stringify(measure.spec)} ∂S/∂J` })
}

const SAMPLE = [3, -4, 0]

describe('measure values on [3, -4, 0]', () => {
  it('l1 is Σ|J|', () => {
    expect(measureValue(l1Measure(), SAMPLE)).toBe(7)
  })

  it('lp is Σ(J² + ε²)^(p/2)', () => {
    // p = 0.5 (the special-cased fast path), ε = 1: 10^¼ + 17^¼ + 1
    expectClose(measureValue(lpMeasure(0.5, 1), SAMPLE), 10 ** 0.25 + 17 ** 0.25 + 1, {
      atol: 1e-14,
    })
    // p = 1, ε = 0 is l1; p = 1.5, ε = 0 is Σ|J|^1.5
    expectClose(measureValue(lpMeasure(1, 0), SAMPLE), 7, { atol: 1e-14 })
    expectClose(measureValue(lpMeasure(1.5, 0), SAMPLE), 3 ** 1.5 + 8, { atol: 1e-13 })
    // p = 0.5, ε = 0 is Σ√|J|
    expectClose(measureValue(lpMeasure(0.5, 0), SAMPLE), Math.sqrt(3) + 2, { atol: 1e-14 })
  })

  it('lp with p = 2 is Σ(J² + ε²)', () => {
    const eps = 0.5
    expectClose(measureValue(lpMeasure(2, eps), SAMPLE), 25 + 3 * eps * eps, { atol: 1e-13 })
    const j = dyadicVector(20, 5)
    const expected = j.reduce((acc, v) => acc + v * v + eps * eps, 0)
    expectClose(measureValue(lpMeasure(2, eps), j), expected, { atol: 1e-11 })
  })

  it('log is Σ log(1 + J²/ε²)', () => {
    expectClose(measureValue(logMeasure(1), SAMPLE), Math.log(10) + Math.log(17), { atol: 1e-14 })
    expectClose(measureValue(logMeasure(2), SAMPLE), Math.log(1 + 9 / 4) + Math.log(1 + 16 / 4), {
      atol: 1e-14,
    })
  })

  it('hoyer is ‖J‖₁/‖J‖₂', () => {
    expectClose(measureValue(hoyerMeasure(), SAMPLE), 7 / 5, { atol: 1e-15 })
  })

  it('quartimax is −ΣJ⁴', () => {
    expect(measureValue(quartimaxMeasure(), SAMPLE)).toBe(-(81 + 256))
  })

  it('createMeasure builds each measure from its spec', () => {
    const specs: MeasureSpec[] = [
      { name: 'l1' },
      { name: 'lp', p: 0.5, eps: 1 },
      { name: 'log', eps: 1 },
      { name: 'hoyer' },
      { name: 'quartimax' },
    ]
    const expected = [7, 10 ** 0.25 + 17 ** 0.25 + 1, Math.log(170), 1.4, -337]
    specs.forEach((spec, i) => {
      const m = createMeasure(spec)
      expect(m.spec).toEqual(spec)
      expectClose(measureValue(m, SAMPLE), expected[i], { atol: 1e-13 })
    })
  })
})

describe('hoyer', () => {
  it('is 1 for a one-hot and √n for a constant vector', () => {
    const oneHot = new Array(16).fill(0)
    oneHot[5] = -2.5
    expectClose(measureValue(hoyerMeasure(), oneHot), 1, { atol: 1e-15 })
    expectClose(measureValue(hoyerMeasure(), new Array(16).fill(0.75)), 4, { atol: 1e-14 })
    expectClose(measureValue(hoyerMeasure(), new Array(10).fill(-3)), Math.sqrt(10), {
      atol: 1e-14,
    })
  })

  it('is scale invariant, so its gradient is orthogonal to J', () => {
    const j = dyadicVector(12, 9)
    const m = hoyerMeasure()
    expectClose(
      measureValue(
        m,
        j.map((v) => 4 * v),
      ),
      measureValue(m, j),
      { atol: 1e-13 },
    )
    const { grad } = evaluate(m, j, 1)
    const inner = j.reduce((acc, v, e) => acc + v * grad[e], 0)
    expect(Math.abs(inner)).toBeLessThan(1e-6)
  })

  it('counts an all-zero Jacobian as 0 with zero gradient, even inside a chunk', () => {
    const j = [3, -4, 0, 0, 0, 0, 0, 1, 0]
    const { values, grad } = evaluate(hoyerMeasure(), j, 3)
    expectClose(values[0], 1.4, { atol: 1e-15 })
    expect(values[1]).toBe(0)
    expect(values[2]).toBe(1)
    expect([...grad.subarray(3, 6)]).toEqual([0, 0, 0])
    for (const g of grad) expect(Number.isFinite(g)).toBe(true)
  })
})

describe('chunks of several samples', () => {
  const measures: Measure[] = [
    l1Measure(),
    lpMeasure(0.5, 1e-3),
    lpMeasure(1.5, 0.1),
    logMeasure(1e-2),
    hoyerMeasure(),
    quartimaxMeasure(),
  ]

  it.each(measures.map((m) => [m.spec.name + JSON.stringify(m.spec), m] as const))(
    '%s: per-sample values are each sample on its own, added to what was there',
    (_, m) => {
      const size = 6
      const n = 4
      const j = dyadicVector(n * size, 3)
      j[size + 2] = 0
      const per = Float64Array.from([10, -1, 0.5, 2])
      const grad = new Float32Array(n * size).fill(Number.NaN)
      m.evaluate(Float32Array.from(j), n, size, per, grad)
      for (let x = 0; x < n; x++) {
        const sample = j.slice(x * size, (x + 1) * size)
        expectClose(per[x] - [10, -1, 0.5, 2][x], measureValue(m, sample), { atol: 1e-12 })
        const alone = evaluate(m, sample, 1).grad
        expect([...grad.subarray(x * size, (x + 1) * size)]).toEqual([...alone])
      }
    },
  )

  it('leaves the gradient untouched when none is asked for', () => {
    const per = new Float64Array(2)
    for (const m of measures) m.evaluate(Float32Array.from(dyadicVector(8, 4)), 2, 4, per, null)
    expect(per.every(Number.isFinite)).toBe(true)
  })
})

describe('gradients match central finite differences', () => {
  const j = dyadicVector(24, 11)

  it('l1 (away from 0) is sign(J), and 0 at 0', () => {
    expectGradientMatches(l1Measure(), j, 1e-7)
    expect([...evaluate(l1Measure(), [2, -0.5, 0], 1).grad]).toEqual([1, -1, 0])
  })

  it.each([
    [0.5, 1e-3],
    [0.5, 0.25],
    [1.5, 1e-3],
    [1.5, 0.25],
    [1, 0.1],
    [0.3, 0.05],
    [2, 0.5],
  ])('lp p=%d eps=%d', (p, eps) => {
    expectGradientMatches(lpMeasure(p, eps), j, 1e-6)
  })

  it('lp near 0, where ε smooths the cusp', () => {
    const small = [0, 2 ** -10, -(2 ** -9), 2 ** -8, -0.25, 1]
    expectGradientMatches(lpMeasure(0.5, 1e-2), small, 1e-4)
    expectGradientMatches(lpMeasure(1.5, 1e-2), small, 1e-4)
  })

  it.each([1e-3, 1e-2, 0.5])('log eps=%d', (eps) => {
    expectGradientMatches(logMeasure(eps), j, 1e-6)
  })

  it('hoyer', () => {
    expectGradientMatches(hoyerMeasure(), j, 1e-6)
  })

  it('quartimax', () => {
    expectGradientMatches(quartimaxMeasure(), j, 1e-6)
  })
})

describe('square forms: S(J) = Σ ψ(J²), the edge term Σ ψ(E)', () => {
  const cases: [string, Measure][] = [
    ['l1', l1Measure()],
    ['lp p=0.5 eps=1e-3', lpMeasure(0.5, 1e-3)],
    ['lp p=0.7 eps=0.05', lpMeasure(0.7, 0.05)],
    ['log eps=0.1', logMeasure(0.1)],
  ]
  it.each(cases)('%s: ψ(J²) summed is the measure, ψ′ its derivative in J²', (_, m) => {
    const j = dyadicVector(16, 21)
    const square = m.square!
    expectClose(
      j.reduce((acc, v) => acc + square.value(v * v), 0),
      measureValue(m, j),
      { rtol: 1e-12 },
    )
    for (const u of [1e-4, 0.01, 0.3, 2]) {
      const h = u * 1e-5
      const fd = (square.value(u + h) - square.value(u - h)) / (2 * h)
      expectClose(square.slope(u), fd, { rtol: 1e-6, label: `ψ′(${u})` })
    }
  })

  it('lp and log have a finite slope at 0 (IRLS majorizes them); l1 takes the subgradient 0', () => {
    expect(lpMeasure(0.5, 1e-3).square!.slope(0)).toBeCloseTo(0.25 * 1e-6 ** -0.75, 6)
    expect(logMeasure(0.1).square!.slope(0)).toBeCloseTo(100, 10)
    expect(l1Measure().square!.slope(0)).toBe(0)
    expect(l1Measure().square!.tensorSlope).toBeNull()
    expect(hoyerMeasure().square).toBeNull()
    expect(quartimaxMeasure().square).toBeNull()
  })

  it('createMeasure keeps the mix weights a spec states, and defaults the others', () => {
    const m = createMeasure({ name: 'lp', p: 0.5, eps: 1e-3, edge: 2 })
    expect(m.spec).toEqual({ name: 'lp', p: 0.5, eps: 1e-3, edge: 2 })
    expect(m.mix).toEqual({ perInput: 1, edge: 2 })
    expect(createMeasure({ name: 'log', eps: 1e-3 }).spec).toEqual({ name: 'log', eps: 1e-3 })
    expect(createMeasure({ name: 'hoyer' }).mix).toEqual({ perInput: 1, edge: 0 })
  })
})

describe('secondMomentFactor', () => {
  it('gives rows v_k with Σ v_k·v_kᵀ = (1/n)·Σ_x d_x·d_xᵀ, dropping the null space', () => {
    const rng = createRng(5)
    const n = 40
    const dim = 6
    const d = new Float32Array(n * dim)
    // Unit 4 is dead at every input: C is singular.
    for (let x = 0; x < n; x++)
      for (let c = 0; c < dim; c++) d[x * dim + c] = c === 4 ? 0 : rng.next() < 0.5 ? 1 : rng.next()
    const { derivatives: v, n: r } = secondMomentFactor(d, n, dim)
    expect(r).toBe(5)
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) {
        let c = 0
        for (let x = 0; x < n; x++) c += (d[x * dim + a] * d[x * dim + b]) / n
        let vv = 0
        for (let k = 0; k < r; k++) vv += v[k * dim + a] * v[k * dim + b]
        expectClose(vv, c, { atol: 1e-6, label: `C[${a},${b}]` })
      }
    }
  })
})
