/**
 * Hoyer's sparsity of one Jacobian, (√n − ‖J‖₁/‖J‖₂)/(√n − 1) ∈ [0, 1]: 0 for a flat J,
 * 1 for a single nonzero entry (including a 1×1 J); an all-zero J counts 1.
 */
export function hoyerSparsity(j: ArrayLike<number>, start = 0, size = j.length): number {
  let l1 = 0
  let sq = 0
  for (let e = start; e < start + size; e++) {
    l1 += Math.abs(j[e])
    sq += j[e] * j[e]
  }
  return hoyerSparsityOfNorms(l1, sq, size)
}

/** The same from ‖J‖₁ and ‖J‖₂². */
export function hoyerSparsityOfNorms(l1: number, sq: number, size: number): number {
  // All zero, or a single entry (a 1×1 J, where the formula is 0/0): as sparse as it gets.
  if (sq === 0 || size === 1) return 1
  const rootN = Math.sqrt(size)
  return (rootN - l1 / Math.sqrt(sq)) / (rootN - 1)
}
