import { describe, expect, it } from 'vitest'
import { expectClose } from '../../test/helpers/tolerance.ts'
import { type Mat, mat } from '../linalg/matrix.ts'
import { createRng, permutation } from '../random/prng.ts'
import { assignmentCost, hungarian } from './assignment.ts'

/** Minimum assignment cost over all injective maps rows → cols. */
function bruteForce(cost: Mat): number {
  let best = Infinity
  const used = new Array<boolean>(cost.cols).fill(false)
  const go = (row: number, acc: number): void => {
    if (row === cost.rows) {
      best = Math.min(best, acc)
      return
    }
    for (let j = 0; j < cost.cols; j++) {
      if (used[j]) continue
      used[j] = true
      go(row + 1, acc + cost.data[row * cost.cols + j])
      used[j] = false
    }
  }
  go(0, 0)
  return best
}

function isInjective(a: Int32Array, cols: number): boolean {
  const seen = new Set<number>()
  for (const j of a) {
    if (j < 0 || j >= cols || seen.has(j)) return false
    seen.add(j)
  }
  return true
}

describe('hungarian', () => {
  it('matches brute force on random 6×6 cost matrices', () => {
    const rng = createRng(11)
    for (let trial = 0; trial < 40; trial++) {
      const cost = mat(
        6,
        6,
        Array.from({ length: 36 }, () => rng.normal()),
      )
      const a = hungarian(cost)
      expect(isInjective(a, 6)).toBe(true)
      expectClose(assignmentCost(cost, a), bruteForce(cost), {
        atol: 1e-12,
        label: `trial ${trial}`,
      })
    }
  })

  it('matches brute force on integer costs with ties, and on rectangular 4×7', () => {
    const rng = createRng(12)
    for (let trial = 0; trial < 30; trial++) {
      const square = mat(
        6,
        6,
        Array.from({ length: 36 }, () => rng.int(4)),
      )
      expect(assignmentCost(square, hungarian(square))).toBe(bruteForce(square))
      const rect = mat(
        4,
        7,
        Array.from({ length: 28 }, () => rng.next()),
      )
      const a = hungarian(rect)
      expect(isInjective(a, 7)).toBe(true)
      expectClose(assignmentCost(rect, a), bruteForce(rect), { atol: 1e-12 })
    }
  })

  it('finds a planted permutation in a large problem', () => {
    const rng = createRng(13)
    const n = 300
    const perm = permutation(n, rng)
    const cost = mat(n, n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) cost.data[i * n + j] = j === perm[i] ? 0 : 0.1 + rng.next()
    }
    expect(Array.from(hungarian(cost))).toEqual(perm)
  })

  it('rejects more rows than columns', () => {
    expect(() => hungarian(mat(3, 2))).toThrow(/rows ≤ cols/)
  })
})
