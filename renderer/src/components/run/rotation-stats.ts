/**
 * How far a learned basis R (n×n, row-major) is from the neuron basis: R − I itself, the
 * share of ‖R‖²_F off the diagonal (0 for the identity, 1 − 1/n expected for a random
 * rotation) and ‖R − I‖_F. A signed permutation is far from I by these and is still the
 * neuron basis reordered; the mean row max beside them tells that case apart.
 */
export function minusIdentity(data: ArrayLike<number>, n: number): Float32Array {
  const out = Float32Array.from(data)
  for (let i = 0; i < n; i++) out[i * n + i] -= 1
  return out
}

export interface RotationDistance {
  /** Σ_{i≠j} R_ij² / Σ R_ij², in [0, 1]. */
  readonly offDiagonalMass: number
  /** ‖R − I‖_F. */
  readonly fromIdentity: number
  /** What a random (Haar) rotation's off-diagonal mass is on average: 1 − 1/n. */
  readonly randomOffDiagonalMass: number
}

export function rotationDistance(data: ArrayLike<number>, n: number): RotationDistance {
  let all = 0
  let diagonal = 0
  let fromIdentity = 0
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = data[i * n + j]
      all += v * v
      if (i === j) diagonal += v * v
      const d = i === j ? v - 1 : v
      fromIdentity += d * d
    }
  }
  return {
    offDiagonalMass: all > 0 ? (all - diagonal) / all : 0,
    fromIdentity: Math.sqrt(fromIdentity),
    randomOffDiagonalMass: n > 0 ? 1 - 1 / n : 0,
  }
}
