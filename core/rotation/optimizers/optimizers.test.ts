import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { frobenius, identity, orthogonalityError } from '../../linalg/matrix.ts'
import { cayleyStep, riemannianGradient } from '../retraction.ts'
import type { RotationOptimizer } from './optimizer.ts'
import { riemannianAdam } from './riemannian-adam.ts'
import { seedGd } from './seed-gd.ts'
import {
  plantedSparseProblem,
  plantedStart,
  testHooks,
  testRules,
} from '../../../test/helpers/synthetic-problems.ts'

const adam = (lr: number, finalLrFraction = 0.05): RotationOptimizer =>
  riemannianAdam({ lr, finalLrFraction, beta1: 0.9, beta2: 0.999, batchSize: null })

describe('riemannian-adam on a planted sparse problem', () => {
  it('from the identity decreases f substantially and ends orthogonal', async () => {
    const syn = plantedSparseProblem(12, 60, 2, 1)
    const init = identity(12)
    const f0 = syn.f(init)
    const res = await adam(0.1).optimize(
      syn.problem,
      [init],
      testRules({ maxSteps: 300 }),
      testHooks(),
    )
    expect(res.steps).toBe(300)
    const f1 = syn.f(res.rotations[0])
    expect(f1).toBeLessThan(0.6 * f0)
    expect(f1).toBeLessThan(1.05 * syn.f(syn.q))
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    expect(syn.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
    // The history records the objective at each step's starting point.
    expect(res.history.map((h) => h.step)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    expectClose(res.history[0].value, f0, { rtol: 1e-14 })
    expect(res.history[299].value).toBeLessThan(0.6 * f0)
    // The init is not modified.
    expect(init.data).toEqual(identity(12).data)
  })

  it('takes a first step of lr·sign(Ω), the Adam step with fresh moments', async () => {
    const { syn, init } = plantedStart(8, 30, 2, 2, { initSeed: 5 })
    const lr = 1e-6
    const res = await adam(lr).optimize(
      syn.problem,
      [init],
      testRules({ maxSteps: 1 }),
      testHooks(),
    )
    const omega = riemannianGradient(init, syn.grad(init))
    expectClose(res.history[0].gradNorm, frobenius(omega), { rtol: 1e-14 })
    const sign = { ...omega, data: omega.data.map(Math.sign) }
    const expected = cayleyStep(init, { ...sign, data: sign.data.map((v) => lr * v) })
    const got = res.rotations[0]
    expectAllClose(got.data, expected.data, { atol: 1e-15 })
    // First-order decrease: df = −⟨Ω, lr·sign(Ω)⟩ = −lr·Σ|Ω_ij|.
    const l1 = omega.data.reduce((acc, v) => acc + Math.abs(v), 0)
    expectClose(syn.f(got) - syn.f(init), -lr * l1, { rtol: 1e-3 })
  })

  it('honours warmupSteps: the first step is lr/warmupSteps·sign(Ω)', async () => {
    // Regression: the option was validated and documented but never reached the step size.
    const { syn, init } = plantedStart(8, 30, 2, 2, { initSeed: 5 })
    const lr = 1e-6
    const res = await riemannianAdam({
      lr,
      finalLrFraction: 0.05,
      beta1: 0.9,
      beta2: 0.999,
      batchSize: null,
      warmupSteps: 20,
    }).optimize(syn.problem, [init], testRules({ maxSteps: 1 }), testHooks())
    const omega = riemannianGradient(init, syn.grad(init))
    const step = { ...omega, data: omega.data.map((v) => (lr / 20) * Math.sign(v)) }
    expectAllClose(res.rotations[0].data, cayleyStep(init, step).data, { atol: 1e-15 })
  })

  it('finds a rotation at least as sparse as the planted one from random starts', async () => {
    for (const seed of [1, 2, 3]) {
      const { syn, init } = plantedStart(12, 60, 2, seed)
      const fq = syn.f(syn.q)
      expect(syn.f(init)).toBeGreaterThan(1.5 * fq)
      const res = await adam(0.1, 0.01).optimize(
        syn.problem,
        [init],
        testRules({ maxSteps: 400 }),
        testHooks(),
      )
      expect(syn.f(res.rotations[0]), `instance ${seed}`).toBeLessThanOrEqual(1.05 * fq)
      expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    }
  })

  it('stays orthogonal over 3000 steps on a 16×16 problem without re-orthonormalizing', async () => {
    const { syn, init } = plantedStart(16, 48, 3, 4, { initSeed: 44 })
    const res = await adam(0.05).optimize(
      syn.problem,
      [init],
      testRules({ maxSteps: 3000 }),
      testHooks(),
    )
    expect(res.steps).toBe(3000)
    expect(syn.evaluations()).toEqual({ withGrad: 3000, withoutGrad: 0 })
    // Every iterate the optimizer produced, before the final clean-up.
    expect(syn.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    expect(syn.f(res.rotations[0])).toBeLessThan(syn.f(init))
  })
})

describe('seed-gd on a planted sparse problem', () => {
  it('from the identity decreases f and stays orthogonal', async () => {
    const syn = plantedSparseProblem(12, 60, 2, 1)
    const f0 = syn.f(identity(12))
    const res = await seedGd({ lr: 3e-4, batchSize: null }).optimize(
      syn.problem,
      [identity(12)],
      testRules({ maxSteps: 200 }),
      testHooks(),
    )
    expect(res.steps).toBe(200)
    expect(syn.f(res.rotations[0])).toBeLessThan(0.7 * f0)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    expect(syn.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
    expectClose(res.history[0].value, f0, { rtol: 1e-14 })
  })

  it('takes gradient steps on A: ‖∂f/∂A‖ = 2‖Ω‖ at A = 0, and df = −lr·‖∂f/∂A‖²', async () => {
    // At A = 0, R = expm(A − Aᵀ)·R₀ and ∂f/∂A = G·R₀ᵀ − (G·R₀ᵀ)ᵀ = 2·skew(G·R₀ᵀ).
    const { syn, init } = plantedStart(8, 30, 2, 3, { initSeed: 6 })
    const lr = 1e-7
    const res = await seedGd({ lr, batchSize: null }).optimize(
      syn.problem,
      [init],
      testRules({ maxSteps: 1 }),
      testHooks(),
    )
    const omega = riemannianGradient(init, syn.grad(init))
    const gradNorm = res.history[0].gradNorm
    expectClose(gradNorm, 2 * frobenius(omega), { rtol: 1e-12 })
    expectClose(syn.f(res.rotations[0]) - syn.f(init), -lr * gradNorm ** 2, { rtol: 1e-3 })
  })
})
