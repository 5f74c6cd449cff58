import { describe, expect, it } from 'vitest'
import { expectClose } from '../../test/helpers/tolerance.ts'
import { type Mat, identity, mat, matmulTN, orthogonalityError } from '../linalg/matrix.ts'
import { createRng } from '../random/prng.ts'
import { haarRotation } from '../rotation/retraction.ts'
import {
  basisFromColumns,
  dimensionsPerFeature,
  featureRecovery,
  makeSparseFeatures,
  toyModelLoss,
  trainToyModel,
} from './superposition.ts'

function maxOffGram(w: Mat): { off: number; diag: number } {
  const g = matmulTN(w, w)
  const n = w.cols
  let off = 0
  let diag = 0
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = g.data[i * n + j]
      if (i === j) diag = Math.max(diag, Math.abs(v - 1))
      else off = Math.max(off, Math.abs(v))
    }
  }
  return { off, diag }
}

describe('makeSparseFeatures', () => {
  it('draws each feature present with probability p, value in (0, 1), reproducibly', () => {
    const x = makeSparseFeatures({ n: 10, count: 5000, p: 0.2, seed: 1 })
    expect(x).toHaveLength(50_000)
    let present = 0
    let sum = 0
    for (const v of x) {
      if (v !== 0) {
        present++
        sum += v
      }
    }
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...x)).toBeLessThan(1)
    expectClose(present / x.length, 0.2, { atol: 0.01 })
    expectClose(sum / present, 0.5, { atol: 0.01 })
    const same = makeSparseFeatures({ n: 10, count: 5000, p: 0.2, seed: 1 })
    const other = makeSparseFeatures({ n: 10, count: 5000, p: 0.2, seed: 2 })
    expect(same.every((v, i) => v === x[i])).toBe(true)
    expect(other.every((v, i) => v === x[i])).toBe(false)
  })
})

describe('toyModelLoss', () => {
  it('gradients match central finite differences', () => {
    const rng = createRng(81)
    const [m, n, count] = [3, 5, 7]
    const w = mat(
      m,
      n,
      Array.from({ length: m * n }, () => rng.normal()),
    )
    const b = Float64Array.from({ length: n }, () => 0.3 * rng.normal())
    const x = Float64Array.from({ length: count * n }, () => (rng.next() < 0.6 ? rng.next() : 0))
    const importance = Float64Array.from({ length: n }, (_, i) => 0.8 ** i)
    const { loss, gradW, gradB } = toyModelLoss(w, b, x, count, importance)
    expect(loss).toBeGreaterThan(0)
    const h = 1e-6
    for (let e = 0; e < m * n; e++) {
      const plus = mat(m, n, w.data)
      const minus = mat(m, n, w.data)
      plus.data[e] += h
      minus.data[e] -= h
      const fd =
        (toyModelLoss(plus, b, x, count, importance).loss -
          toyModelLoss(minus, b, x, count, importance).loss) /
        (2 * h)
      expectClose(gradW[e], fd, { atol: 1e-7, rtol: 1e-5, label: `W[${e}]` })
    }
    for (let i = 0; i < n; i++) {
      const plus = Float64Array.from(b)
      const minus = Float64Array.from(b)
      plus[i] += h
      minus[i] -= h
      const fd =
        (toyModelLoss(w, plus, x, count, importance).loss -
          toyModelLoss(w, minus, x, count, importance).loss) /
        (2 * h)
      expectClose(gradB[i], fd, { atol: 1e-7, rtol: 1e-5, label: `b[${i}]` })
    }
  })
})

describe('featureRecovery', () => {
  it('is exact for a basis containing the feature directions, and counts as documented', () => {
    // W columns: e0 (norm 2), −e1, (e0 + e1)/√2 · 0.1, 0.
    const w = mat(2, 4, [2, 0, 0.1 / Math.SQRT2, 0, 0, -1, 0.1 / Math.SQRT2, 0])
    const r = featureRecovery(identity(2), w)
    expect(r.perFeature.slice(0, 2)).toEqual([1, 1])
    expectClose(r.perFeature[2], Math.SQRT1_2, { atol: 1e-15 })
    expect(r.perFeature[3]).toBe(0)
    expect(r.recovered).toBe(2)
    expect(r.represented).toBe(2)
    expectClose(r.meanMaxCos, (2 + Math.SQRT1_2) / 4, { atol: 1e-15 })
    expectClose(r.norms[0], 2, { atol: 1e-15 })
  })

  it('basisFromColumns is orthonormal and contains orthogonal columns as rows', () => {
    const rng = createRng(82)
    const q = haarRotation(6, rng)
    // Columns: rows 0, 2, 4 of Q scaled by 3, 1, 2, as a 6×3 W.
    const w = mat(6, 3)
    ;[0, 2, 4].forEach((row, col) => {
      for (let r = 0; r < 6; r++) w.data[r * 3 + col] = [3, 1, 2][col] * q.data[row * 6 + r]
    })
    const basis = basisFromColumns(w)
    expect(orthogonalityError(basis)).toBeLessThan(1e-14)
    const rec = featureRecovery(basis, w)
    for (const c of rec.perFeature) expectClose(c, 1, { atol: 1e-14 })
  })
})

describe('toy models of superposition', () => {
  it.each([
    [5, 5],
    [6, 8],
  ])(
    'n = %i features in m = %i ≥ n dimensions: orthogonal features, recovered by the right basis',
    (n, m) => {
      const model = trainToyModel({
        n,
        m,
        importanceDecay: 0.9,
        p: 0.1,
        steps: 600,
        lr: 0.02,
        seed: 1,
        batchSize: 128,
      })
      expect(model.W.rows).toBe(m)
      expect(model.W.cols).toBe(n)
      expect(model.finalLoss).toBeLessThan(1e-4)
      // WᵀW ≈ I: every feature gets its own orthogonal direction.
      const { off, diag } = maxOffGram(model.W)
      expect(off).toBeLessThan(0.02)
      expect(diag).toBeLessThan(0.02)
      const best = featureRecovery(basisFromColumns(model.W), model.W)
      expect(best.meanMaxCos).toBeGreaterThanOrEqual(0.99)
      expect(best.recovered).toBe(n)
      expect(best.represented).toBe(n)
      expectClose(dimensionsPerFeature(model.W), m / n, { rtol: 0.03 })
      // A random basis of the hidden space does not line up with them.
      const random = featureRecovery(haarRotation(m, createRng(2)), model.W)
      expect(random.meanMaxCos).toBeLessThan(0.95)
    },
  )

  it('m < n, sparse features: more than m features in superposition, recovery partial', () => {
    const [n, m] = [20, 5]
    const model = trainToyModel({
      n,
      m,
      importanceDecay: 0.7,
      p: 0.05,
      steps: 1000,
      lr: 0.01,
      seed: 1,
      batchSize: 128,
    })
    const rec = featureRecovery(basisFromColumns(model.W), model.W)
    expect(rec.represented).toBeGreaterThan(m)
    expect(dimensionsPerFeature(model.W)).toBeLessThan(0.7)
    expect(rec.meanMaxCos).toBeLessThan(0.97)
    expect(rec.meanMaxCos).toBeGreaterThan(0)
  })

  it('m < n, dense features: only the m most important features, orthogonal, no superposition', () => {
    const [n, m] = [8, 3]
    const model = trainToyModel({
      n,
      m,
      importanceDecay: 0.7,
      p: 1,
      steps: 800,
      lr: 0.02,
      seed: 1,
      batchSize: 64,
    })
    const rec = featureRecovery(basisFromColumns(model.W), model.W)
    expect(rec.represented).toBe(m)
    rec.norms.forEach((v, i) =>
      i < m ? expect(v).toBeGreaterThan(0.9) : expect(v).toBeLessThan(0.2),
    )
    for (let i = 0; i < m; i++) expect(rec.perFeature[i]).toBeGreaterThan(0.99)
    expect(rec.meanMaxCos).toBeLessThan(1)
    expectClose(dimensionsPerFeature(model.W), 1, { atol: 0.05 })
  })
})
