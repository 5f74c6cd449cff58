/**
 * Effective fan-in of one output row: the participation ratio of |J_i·|²,
 * (Σ_j J_ij²)² / Σ_j J_ij⁴ — how many inputs the row really listens to (1 … cols).
 * null for a zero row (a dead ReLU at this input has no fan-in).
 */
export function rowFanIn(j: ArrayLike<number>, start: number, cols: number): number | null {
  let s2 = 0
  let s4 = 0
  for (let e = start; e < start + cols; e++) {
    const q = j[e] * j[e]
    s2 += q
    s4 += q * q
  }
  return fanInOfMoments(s2, s4)
}

/** The same from Σ_j J_ij² and Σ_j J_ij⁴. */
export function fanInOfMoments(s2: number, s4: number): number | null {
  return s4 === 0 ? null : (s2 * s2) / s4
}
