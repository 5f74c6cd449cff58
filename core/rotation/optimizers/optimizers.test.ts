import { describe, expect, it } from 'vitest'
import { expectAllClose, expectClose } from '../../../test/helpers/tolerance.ts'
import {
  type Mat,
  frobenius,
  identity,
  matmul,
  matmulNT,
  matmulTN,
  orthogonalityError,
  zeros,
} from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import type { RotationProblem } from '../problem.ts'
import { cayleyStep, haarRotation, riemannianGradient } from '../retraction.ts'
import type { RotationOptimizer, StepRecord, StoppingRules } from './optimizer.ts'
import { riemannianAdam } from './riemannian-adam.ts'
import { seedGd } from './seed-gd.ts'

// The lp measure, p = 0.5, ε = 1e-2, in float64: s(x) = (x² + ε²)^(p/2).
const P = 0.5
const EPS2 = 1e-2 * 1e-2
const s = (x: number): number => (x * x + EPS2) ** (P / 2)
const ds = (x: number): number => P * x * (x * x + EPS2) ** (P / 2 - 1)

interface Synthetic {
  readonly problem: RotationProblem
  /** f(R) = Σ_ij s((R·A)_ij) */
  f(r: Mat): number
  /** Euclidean gradient ∂f/∂R = s'(R·A)·Aᵀ */
  grad(r: Mat): Mat
  /** The planted rotation: Q·A = S is sparse. */
  readonly q: Mat
  /** The largest orthogonalityError of any R the optimizer evaluated f at. */
  worstOrthogonality(): number
  evaluations(): number
}

/**
 * A = Qᵀ·S with S (n × m) having `k` random nonzeros per column and Q Haar: the rotation
 * R = Q makes R·A sparse. One "layer", one free rotation, one objective input.
 */
function plantedProblem(n: number, m: number, k: number, seed: number): Synthetic {
  const rng = createRng(seed)
  const sparse = zeros(n, m)
  for (let c = 0; c < m; c++) {
    for (let t = 0; t < k; t++) sparse.data[rng.int(n) * m + c] = rng.normal()
  }
  const q = haarRotation(n, rng)
  const a = matmulTN(q, sparse)
  let worst = 0
  let count = 0
  const f = (r: Mat): number => matmul(r, a).data.reduce((acc, x) => acc + s(x), 0)
  const grad = (r: Mat): Mat => {
    const y = matmul(r, a)
    return matmulNT({ ...y, data: y.data.map(ds) }, a)
  }
  const problem: RotationProblem = {
    free: [1],
    dims: [n],
    nSamples: 1,
    evaluate(rotations, options) {
      if (rotations.length !== 1) throw new Error(`expected 1 rotation, got ${rotations.length}`)
      const r = rotations[0]
      worst = Math.max(worst, orthogonalityError(r))
      count++
      const value = f(r)
      return { value, perLayer: [value], grads: options.grad ? [grad(r)] : null }
    },
  }
  return { problem, f, grad, q, worstOrthogonality: () => worst, evaluations: () => count }
}

const adam = (lr: number, finalLrFraction = 0.05): RotationOptimizer =>
  riemannianAdam({ lr, finalLrFraction, beta1: 0.9, beta2: 0.999, batchSize: null })

const rules = (overrides: Partial<StoppingRules>): StoppingRules => ({
  maxSteps: 100,
  budgetSeconds: 60,
  gradTol: 0,
  ...overrides,
})

const hooks = () => ({ rng: createRng(1) })

describe('riemannian-adam on a planted sparse problem', () => {
  it('from the identity decreases f substantially and ends orthogonal', async () => {
    const syn = plantedProblem(12, 60, 2, 1)
    const init = identity(12)
    const f0 = syn.f(init)
    const res = await adam(0.1).optimize(syn.problem, [init], rules({ maxSteps: 300 }), hooks())
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
    const syn = plantedProblem(8, 30, 2, 2)
    const init = haarRotation(8, createRng(5))
    const lr = 1e-6
    const res = await adam(lr).optimize(syn.problem, [init], rules({ maxSteps: 1 }), hooks())
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

  it('finds a rotation at least as sparse as the planted one from random starts', async () => {
    for (const seed of [1, 2, 3]) {
      const syn = plantedProblem(12, 60, 2, seed)
      const init = haarRotation(12, createRng(100 + seed))
      const fq = syn.f(syn.q)
      expect(syn.f(init)).toBeGreaterThan(1.5 * fq)
      const res = await adam(0.1, 0.01).optimize(
        syn.problem,
        [init],
        rules({ maxSteps: 400 }),
        hooks(),
      )
      expect(syn.f(res.rotations[0]), `instance ${seed}`).toBeLessThanOrEqual(1.05 * fq)
      expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    }
  })

  it('stays orthogonal over 3000 steps on a 16×16 problem without re-orthonormalizing', async () => {
    const syn = plantedProblem(16, 48, 3, 4)
    const init = haarRotation(16, createRng(44))
    const res = await adam(0.05).optimize(syn.problem, [init], rules({ maxSteps: 3000 }), hooks())
    expect(res.steps).toBe(3000)
    expect(syn.evaluations()).toBe(3000)
    // Every iterate the optimizer produced, before the final clean-up.
    expect(syn.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    expect(syn.f(res.rotations[0])).toBeLessThan(syn.f(init))
  })
})

describe('seed-gd on a planted sparse problem', () => {
  it('from the identity decreases f and stays orthogonal', async () => {
    const syn = plantedProblem(12, 60, 2, 1)
    const f0 = syn.f(identity(12))
    const res = await seedGd({ lr: 3e-4, batchSize: null }).optimize(
      syn.problem,
      [identity(12)],
      rules({ maxSteps: 200 }),
      hooks(),
    )
    expect(res.steps).toBe(200)
    expect(syn.f(res.rotations[0])).toBeLessThan(0.7 * f0)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
    expect(syn.worstOrthogonality()).toBeLessThanOrEqual(1e-10)
    expectClose(res.history[0].value, f0, { rtol: 1e-14 })
  })

  it('takes gradient steps on A: ‖∂f/∂A‖ = 2‖Ω‖ at A = 0, and df = −lr·‖∂f/∂A‖²', async () => {
    // At A = 0, R = expm(A − Aᵀ)·R₀ and ∂f/∂A = G·R₀ᵀ − (G·R₀ᵀ)ᵀ = 2·skew(G·R₀ᵀ).
    const syn = plantedProblem(8, 30, 2, 3)
    const init = haarRotation(8, createRng(6))
    const lr = 1e-7
    const res = await seedGd({ lr, batchSize: null }).optimize(
      syn.problem,
      [init],
      rules({ maxSteps: 1 }),
      hooks(),
    )
    const omega = riemannianGradient(init, syn.grad(init))
    const gradNorm = res.history[0].gradNorm
    expectClose(gradNorm, 2 * frobenius(omega), { rtol: 1e-12 })
    expectClose(syn.f(res.rotations[0]) - syn.f(init), -lr * gradNorm ** 2, { rtol: 1e-3 })
  })
})

describe.each([
  ['riemannian-adam', () => adam(0.05)],
  ['seed-gd', () => seedGd({ lr: 1e-4, batchSize: null })],
] as const)('%s stopping rules', (_, make) => {
  const setup = () => {
    const syn = plantedProblem(6, 20, 2, 9)
    return { syn, init: [haarRotation(6, createRng(9))] }
  }

  it('runs exactly maxSteps', async () => {
    const { syn, init } = setup()
    const fractions: number[] = []
    const res = await make().optimize(syn.problem, init, rules({ maxSteps: 7 }), {
      rng: createRng(1),
      onStep: (_record, fraction) => fractions.push(fraction),
    })
    expect(res.steps).toBe(7)
    expect(res.stopReason).toBe('steps')
    expect(res.history).toHaveLength(7)
    expect(syn.evaluations()).toBe(7)
    expect(fractions).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => k / 7))
  })

  it('stops on the time budget', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(
      syn.problem,
      init,
      rules({ maxSteps: 1e9, budgetSeconds: 0.05 }),
      hooks(),
    )
    expect(res.stopReason).toBe('budget')
    expect(res.steps).toBeGreaterThan(0)
    expect(res.steps).toBeLessThan(1e9)
    expect(res.seconds).toBeGreaterThanOrEqual(0.05)
    expect(res.seconds).toBeLessThan(5)
  })

  it('takes no step with a zero budget', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(syn.problem, init, rules({ budgetSeconds: 0 }), hooks())
    expect(res.stopReason).toBe('budget')
    expect(res.steps).toBe(0)
    expect(syn.evaluations()).toBe(0)
  })

  it('stops on the gradient tolerance after one step', async () => {
    const { syn, init } = setup()
    const res = await make().optimize(syn.problem, init, rules({ gradTol: 1e300 }), hooks())
    expect(res.stopReason).toBe('tolerance')
    expect(res.steps).toBe(1)
    expect(res.history).toHaveLength(1)
  })

  it('returns the init untouched for an already-aborted signal', async () => {
    const { syn, init } = setup()
    const controller = new AbortController()
    controller.abort()
    const res = await make().optimize(
      syn.problem,
      init,
      rules({ signal: controller.signal }),
      hooks(),
    )
    expect(res.stopReason).toBe('cancelled')
    expect(res.steps).toBe(0)
    expect(res.history).toHaveLength(0)
    expect(syn.evaluations()).toBe(0)
    expect(res.rotations[0].data).toEqual(init[0].data)
  })

  it('stops at the next step when aborted from onStep', async () => {
    const { syn, init } = setup()
    const controller = new AbortController()
    const seen: StepRecord[] = []
    const res = await make().optimize(syn.problem, init, rules({ signal: controller.signal }), {
      rng: createRng(1),
      onStep: (record) => {
        seen.push(record)
        if (record.step === 3) controller.abort()
      },
    })
    expect(res.stopReason).toBe('cancelled')
    expect(res.steps).toBe(3)
    expect(seen.map((r) => r.step)).toEqual([1, 2, 3])
    expect(syn.evaluations()).toBe(3)
    expect(orthogonalityError(res.rotations[0])).toBeLessThanOrEqual(1e-10)
  })

  it('is deterministic when the step count, not the clock, sets the schedule', async () => {
    // riemannian-adam anneals lr by max(steps/maxSteps, elapsed/budget), so with a finite
    // budget its iterates depend (at round-off level) on wall time; an infinite budget
    // makes the schedule, and so the run, exactly reproducible.
    const a = setup()
    const b = setup()
    const r = rules({ maxSteps: 20, budgetSeconds: Infinity })
    const ra = await make().optimize(a.syn.problem, a.init, r, hooks())
    const rb = await make().optimize(b.syn.problem, b.init, r, hooks())
    expect(ra.rotations[0].data).toEqual(rb.rotations[0].data)
    expect(ra.history.map((h) => h.value)).toEqual(rb.history.map((h) => h.value))
  })
})
