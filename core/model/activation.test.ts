import { beforeAll, describe, expect, it } from 'vitest'
import { runUnary } from '../../test/helpers/programs.ts'
import { expectAllClose, expectClose } from '../../test/helpers/tolerance.ts'
import { initCompute } from '../backend/compute.ts'
import { activate, activateScalar, activationDerivative, erf } from './activation.ts'
import { ACTIVATIONS } from '../api/config/sections.ts'

beforeAll(async () => {
  await initCompute()
})

describe('erf', () => {
  it('matches known values to 1e-12', () => {
    const known: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
      [-1.3, -0.9340079449406524],
    ]
    for (const [x, v] of known) expectClose(erf(x), v, { atol: 1e-12, label: `erf(${x})` })
  })

  it('is odd and continuous where the series hands over to the continued fraction', () => {
    for (const x of [0.3, 1.7, 2.4, 4]) expect(erf(-x)).toBe(-erf(x))
    // erf'(2.5) = 2/√π·e^{-6.25} ≈ 2.2e-3
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-6.25)
    expectClose(erf(2.5) - erf(2.5 - 1e-7), slope * 1e-7, { atol: 1e-13 })
  })
})

describe('activations (on the active backend) against float64 references', () => {
  const points = Array.from({ length: 41 }, (_, i) => -4 + 0.2 * i + 0.013)

  it.each(ACTIVATIONS)('%s: activate matches activateScalar', (activation) => {
    const values = runUnary((ops, z) => activate(ops, z, activation), points)
    const expected = points.map((p) => activateScalar(p, activation))
    expectAllClose(values, expected, { rtol: 1e-5, atol: 1e-6, label: activation })
  })

  it.each(ACTIVATIONS)('%s: activationDerivative matches central differences', (activation) => {
    const values = runUnary((ops, z) => activationDerivative(ops, z, activation), points)
    const h = 1e-6
    const expected = points.map(
      (p) => (activateScalar(p + h, activation) - activateScalar(p - h, activation)) / (2 * h),
    )
    // float32 plus the backends' erf approximations (tfjs: A&S 7.1.26, ~1.5e-7)
    expectAllClose(values, expected, { rtol: 1e-5, atol: 1e-6, label: activation })
  })

  it("takes relu'(0) = 0", () => {
    const y = runUnary((ops, z) => activationDerivative(ops, z, 'relu'), [0, -0, 1e-30, -1e-30])
    expect(Array.from(y)).toEqual([0, 0, 1, 0])
  })
})
