import type { Mat } from '../linalg/matrix.ts'

/**
 * Minimum-cost assignment by the Hungarian algorithm (Kuhn–Munkres with potentials,
 * shortest augmenting paths), O(n²·m) for an n×m cost matrix with n ≤ m. Returns, for
 * each row i, the column it is assigned to; every row gets a distinct column.
 * Costs may be any finite numbers; to maximise a score, pass its negation.
 */
export function hungarian(cost: Mat): Int32Array {
  const n = cost.rows
  const m = cost.cols
  if (n > m) throw new Error(`hungarian: needs rows ≤ cols, got ${n}×${m}`)
  const a = cost.data
  for (const c of a) if (!Number.isFinite(c)) throw new Error('hungarian: non-finite cost')
  // 1-based with a virtual column 0, following the classic formulation.
  const u = new Float64Array(n + 1)
  const v = new Float64Array(m + 1)
  const p = new Int32Array(m + 1) // p[j]: row matched to column j (0 = none)
  const way = new Int32Array(m + 1)
  const minv = new Float64Array(m + 1)
  const used = new Uint8Array(m + 1)
  for (let i = 1; i <= n; i++) {
    p[0] = i
    let j0 = 0
    minv.fill(Infinity)
    used.fill(0)
    do {
      used[j0] = 1
      const i0 = p[j0]
      const row = (i0 - 1) * m
      const ui0 = u[i0]
      let delta = Infinity
      let j1 = 0
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue
        const cur = a[row + j - 1] - ui0 - v[j]
        if (cur < minv[j]) {
          minv[j] = cur
          way[j] = j0
        }
        if (minv[j] < delta) {
          delta = minv[j]
          j1 = j
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta
          v[j] -= delta
        } else {
          minv[j] -= delta
        }
      }
      j0 = j1
    } while (p[j0] !== 0)
    do {
      const j1 = way[j0]
      p[j0] = p[j1]
      j0 = j1
    } while (j0 !== 0)
  }
  const assignment = new Int32Array(n)
  for (let j = 1; j <= m; j++) if (p[j] !== 0) assignment[p[j] - 1] = j - 1
  return assignment
}

/** Σ_i cost[i, assignment[i]]. */
export function assignmentCost(cost: Mat, assignment: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < assignment.length; i++) s += cost.data[i * cost.cols + assignment[i]]
  return s
}
