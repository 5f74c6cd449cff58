import { optimizerDefaults } from '../../api/config/optimizer.ts'
import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import { frobenius, identity, matmul, orthogonalityError, sub } from '../../linalg/matrix.ts'
import { expm } from '../expm.ts'
import { riemannianGradient } from '../retraction.ts'
import { dynamicTrivialization } from './dynamic-trivialization.ts'
import type { StoppingRules } from './optimizer.ts'
import { riemannianAdam } from './riemannian-adam.ts'
import {
  plantedSparseProblem,
  plantedStart,
  procrustesProblem,
  testHooks,
  testRules,
} from '../../../test/helpers/synthetic-problems.ts'

// An infinite budget: the step count alone sets the lr schedule, so runs are reproducible.
const rules = (overrides: Partial<StoppingRules>): StoppingRules =>
  testRules({ budgetSeconds: Infinity, ...overrides })

describe('dyntriv', () => {
  it('has the documented defaults', () => {
    expect(optimizerDefaults('dyntriv')).toEqual({
      lr: 0.005,
      finalLrFraction: 0.05,
      beta1: 0.9,
      beta2: 0.999,
      foldEvery: 100,
      foldNorm: Math.PI / 2,
      resetMoments: false,
      batchSize: 64,
    })
  })

  it('first step: A = −lr·sign(∂f/∂A), R = expm(A − Aᵀ)·R₀ with ∂f/∂A = 2Ω at A = 0', async () => {
    const { syn, init } = plantedStart(8, 30, 2, 2, { initSeed: 5 })
    const lr = 1e-3
    const res = await dynamicTrivialization({ lr, batchSize: null }).optimize(
      syn.problem,
      [init],
      rules({ maxSteps: 1 }),
      testHooks(),
    )
    const omega = riemannianGradient(init, syn.grad(init))
    expectClose(res.history[0].gradNorm, frobenius(omega), { rtol: 1e-14 })
    // A − Aᵀ = −2·lr·sign(Ω) (sign(2Ω) = sign(Ω); Adam's first step is lr·sign).
    const x = { ...omega, data: omega.data.map((v) => -2 * lr * Math.sign(v)) }
    // (Up to Adam's δ = 1e-12 against |∂f/∂A|: m̂/(√v̂ + δ) = sign·(1 − δ/|g|).)
    expectAllClose(res.rotations[0].data, matmul(expm(x), init).data, { atol: 1e-12 })
  })

  it('folding every step with kept moments is riemannian-adam with expm for Cayley', async () => {
    // Adam is invariant to the gradient's scale, so lr/2 on A (rotation 2·lr/2) matches
    // riemannian-adam's lr; expm and Cayley agree to third order in the small steps.
    const { syn: a, init } = plantedStart(8, 30, 2, 3, { initSeed: 6 })
    const b = plantedSparseProblem(8, 30, 2, 3)
    const steps = rules({ maxSteps: 30 })
    const dt = await dynamicTrivialization({
      lr: 1e-4,
      finalLrFraction: 1,
      foldEvery: 1,
      batchSize: null,
    }).optimize(a.problem, [init], steps, testHooks())
    const ra = await riemannianAdam({
      lr: 2e-4,
      finalLrFraction: 1,
      beta1: 0.9,
      beta2: 0.999,
      batchSize: null,
    }).optimize(b.problem, [init], steps, testHooks())
    expectAllClose(dt.rotations[0].data, ra.rotations[0].data, { atol: 1e-8 })
    // Resetting the moments at every fold makes every step a fresh lr·sign step instead.
    const c = plantedSparseProblem(8, 30, 2, 3)
    const reset = await dynamicTrivialization({
      lr: 1e-4,
      finalLrFraction: 1,
      foldEvery: 1,
      resetMoments: true,
      batchSize: null,
    }).optimize(c.problem, [init], steps, testHooks())
    expect(frobenius(sub(reset.rotations[0], ra.rotations[0]))).toBeGreaterThan(1e-5)
  })

  it('converges on Procrustes through many folds (by count and by norm)', async () => {
    for (const opts of [{ foldEvery: 10 }, { foldEvery: 1e9, foldNorm: 0.3 }]) {
      const p = procrustesProblem(10, 30, 3)
      const res = await dynamicTrivialization({ lr: 0.025, batchSize: null, ...opts }).optimize(
        p.problem,
        [identity(10)],
        rules({ maxSteps: 3000, gradTol: 1e-6 }),
        testHooks(),
      )
      expect(res.stopReason).toBe('tolerance')
      expect(frobenius(sub(res.rotations[0], p.q))).toBeLessThan(1e-6)
      expect(p.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
    }
  })

  it('finds a rotation at least as sparse as the planted one from random starts', async () => {
    for (const seed of [1, 4]) {
      const { syn, init } = plantedStart(16, 64, 2, seed)
      const res = await dynamicTrivialization({
        lr: 0.025,
        finalLrFraction: 0.01,
        batchSize: null,
      }).optimize(syn.problem, [init], rules({ maxSteps: 300 }), testHooks())
      expect(syn.f(res.rotations[0]), `seed ${seed}`).toBeLessThanOrEqual(1.01 * syn.f(syn.q))
      expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    }
  })
})
