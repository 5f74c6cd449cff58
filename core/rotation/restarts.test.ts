import { describe, expect, it } from 'vitest'
import { randomSkew } from '../../test/helpers/random.ts'
import { expectClose } from '../../test/helpers/tolerance.ts'
import { type Mat, mat, matmul, matmulNT, orthogonalityError, zeros } from '../linalg/matrix.ts'
import { type Rng, createRng } from '../random/prng.ts'
import { riemannianCg } from './optimizers/riemannian-cg.ts'
import { plantedSparseProblem } from '../../test/helpers/synthetic-problems.ts'
import type { RotationProblem } from './problem.ts'
import { runRestarts, sameBasisUpToSignPermutation } from './restarts.ts'
import { cayleyStep, haarRotation } from './retraction.ts'
import { asSpaces } from '../model/indices.ts'

/** A random signed permutation matrix. */
function signedPermutation(n: number, rng: Rng): Mat {
  const p = zeros(n, n)
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  order.forEach((j, i) => (p.data[i * n + j] = rng.next() < 0.5 ? -1 : 1))
  return p
}

/** P·B·cay(small): near the signed-permuted basis P·B. */
const near = (b: Mat, rng: Rng, spread = 0.05): Mat =>
  cayleyStep(matmul(signedPermutation(b.rows, rng), b), randomSkew(b.rows, rng, spread))

/**
 * f(R) = −Σ_t w_t·Σ_ij (R·B_tᵀ)_ij⁴ with one free rotation: invariant under R → P·R for
 * every signed permutation P, with a basin around (each signed permutation of) every
 * target basis B_t; the deeper one belongs to the larger weight.
 */
function quarticTargets(targets: readonly Mat[], weights: readonly number[]): RotationProblem {
  const n = targets[0].rows
  return {
    free: asSpaces(1),
    dims: [n],
    nSamples: 1,
    evaluate(rotations, options) {
      const r = rotations[0]
      let value = 0
      const grad = zeros(n, n)
      targets.forEach((b, t) => {
        const y = matmulNT(r, b)
        value -= weights[t] * y.data.reduce((s, v) => s + v ** 4, 0)
        if (options.grad) {
          const g = matmul({ ...y, data: y.data.map((v) => -4 * weights[t] * v ** 3) }, b)
          for (let e = 0; e < grad.data.length; e++) grad.data[e] += g.data[e]
        }
      })
      return { value, perLayer: [value], grads: options.grad ? [grad] : null }
    },
  }
}

const rules = { maxSteps: 2000, budgetSeconds: 30, gradTol: 1e-7 }

describe('sameBasisUpToSignPermutation', () => {
  it('matches signed permutations of a basis and nothing else', () => {
    const rng = createRng(1)
    const q = haarRotation(6, rng)
    expect(sameBasisUpToSignPermutation(q, q)).toBe(true)
    expect(sameBasisUpToSignPermutation(q, matmul(signedPermutation(6, rng), q))).toBe(true)
    expect(sameBasisUpToSignPermutation(q, haarRotation(6, rng))).toBe(false)
    // A small rotation away: within tolerance at 1e-4, not at 1e-2.
    const tiny = cayleyStep(q, randomSkew(6, rng, 1e-5))
    const small = cayleyStep(q, randomSkew(6, rng, 1e-1))
    expect(sameBasisUpToSignPermutation(q, tiny)).toBe(true)
    expect(sameBasisUpToSignPermutation(q, small)).toBe(false)
    // Two rows mapping to the same column is not a permutation.
    const dup = matmul(signedPermutation(6, rng), q)
    dup.data.copyWithin(6, 0, 6)
    expect(sameBasisUpToSignPermutation(q, dup)).toBe(false)
  })
})

describe('runRestarts', () => {
  it('counts starts that end at sign/permutation-equivalent bases as one minimum', async () => {
    const syn = plantedSparseProblem(8, 40, 2, 3)
    const { results, census } = await runRestarts(syn.problem, riemannianCg(), {
      starts: 5,
      seed: 7,
      rules,
      // Each start near a different signed permutation of the planted basis.
      initKind: (_k, rng) => [near(syn.q, rng)],
    })
    expect(results).toHaveLength(5)
    expect(census.starts).toBe(5)
    expect(census.distinctMinima).toBe(1)
    expect(census.minimaSizes).toEqual([5])
    expect(census.reachedBest).toBe(5)
    for (const r of results) {
      expect(orthogonalityError(r.rotations[0])).toBeLessThanOrEqual(1e-10)
      expect(sameBasisUpToSignPermutation(r.rotations[0], results[0].rotations[0])).toBe(true)
      expect(r.minimum).toBe(0)
    }
    // …but the starts themselves ended at different signed permutations.
    const distinctRaw = new Set(
      results.map((r) => Array.from(r.rotations[0].data, Math.sign).join()),
    )
    expect(distinctRaw.size).toBeGreaterThan(1)
  })

  it('counts genuinely different bases separately, and finds the deeper one best', async () => {
    // B2 = H·B1 with H the normalised 4×4 Hadamard matrix (entries ±½): each target is
    // maximally incoherent with the other, so both are exact critical points, with
    // f(B1) = −(4 + 0.8·1) = −4.8 and f(B2) = −(1 + 0.8·4) = −4.2, and both are minima.
    const b1 = haarRotation(4, createRng(2))
    const h = mat(
      4,
      4,
      [1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, -1, -1, 1].map((v) => v / 2),
    )
    const b2 = matmul(h, b1)
    const problem = quarticTargets([b1, b2], [1, 0.8])
    const { results, census } = await runRestarts(problem, riemannianCg(), {
      starts: 6,
      seed: 3,
      rules,
      // Starts 0, 2, 4 near (signed permutations of) B1; 1, 3, 5 near B2.
      initKind: (k, r) => [near(k % 2 === 0 ? b1 : b2, r, 0.02)],
    })
    expect(census.converged).toBe(6)
    expect(census.distinctMinima).toBe(2)
    expect(census.minimaSizes).toEqual([3, 3])
    expect(results.map((r) => r.minimum)).toEqual([0, 1, 0, 1, 0, 1])
    expect(census.best.start % 2).toBe(0)
    expectClose(census.best.value, -4.8, { rtol: 1e-10 })
    expect(census.reachedBest).toBe(3)
    for (const r of results) {
      const even = r.start % 2 === 0
      expectClose(r.value, even ? -4.8 : -4.2, { rtol: 1e-10 })
      expect(sameBasisUpToSignPermutation(r.rotations[0], even ? b1 : b2, 1e-6)).toBe(true)
    }
  })

  it('is deterministic for a seed, with Haar starts by default', async () => {
    const run = async () => {
      const syn = plantedSparseProblem(6, 24, 2, 5)
      return runRestarts(syn.problem, riemannianCg(), {
        starts: 3,
        seed: 11,
        rules: { maxSteps: 50, budgetSeconds: Infinity, gradTol: 0 },
      })
    }
    const a = await run()
    const b = await run()
    expect(a.results.map((r) => r.value)).toEqual(b.results.map((r) => r.value))
    expect(a.census).toEqual(b.census)
    // Different starts really are different.
    expect(new Set(a.results.map((r) => r.value)).size).toBe(3)
  })

  it('stops launching starts once cancelled', async () => {
    const syn = plantedSparseProblem(6, 24, 2, 5)
    const controller = new AbortController()
    const seen: number[] = []
    const { results, census } = await runRestarts(syn.problem, riemannianCg(), {
      starts: 10,
      seed: 1,
      rules: { maxSteps: 20, budgetSeconds: 30, gradTol: 0, signal: controller.signal },
      initKind: 'identity',
      onStart: (r, done) => {
        seen.push(done)
        if (done === 2) controller.abort()
      },
    })
    expect(results).toHaveLength(2)
    expect(census.starts).toBe(2)
    expect(seen).toEqual([1, 2])
    // Identity starts with a deterministic optimizer all land in the same place.
    expect(census.distinctMinima).toBe(1)
  })
})
