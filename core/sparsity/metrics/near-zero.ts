/** The relative threshold of DESIGN.md §1: |J_ij| < 0.01·max_ij |J(x)| counts as zero. */
export const NEAR_ZERO_THRESHOLD = 0.01

/**
 * The fraction of entries of one Jacobian with |J_ij| < threshold·max|J| (strict), and 1
 * for an all-zero Jacobian (every entry is as zero as it gets).
 */
export function nearZero(
  j: ArrayLike<number>,
  start = 0,
  size = j.length,
  threshold = NEAR_ZERO_THRESHOLD,
): number {
  let max = 0
  for (let e = start; e < start + size; e++) {
    const a = Math.abs(j[e])
    if (a > max) max = a
  }
  const cut = threshold * max
  let count = 0
  for (let e = start; e < start + size; e++) if (Math.abs(j[e]) < cut) count++
  return nearZeroOfCount(count, max, size)
}

/** The same from its two statistics: the count of entries under the cut and max |J|. */
export function nearZeroOfCount(count: number, max: number, size: number): number {
  return max === 0 ? 1 : count / size
}
