import { type Mat, identity, mat, transpose } from '../linalg/matrix.ts'
import { agreementBaseline, basisAgreement } from './basis-agreement.ts'

/**
 * How similar the bases several runs found for one activation space are — what Compare
 * shows. Every basis is matched against every other (up to sign and order of directions,
 * by `basisAgreement`), and against the identity: the neuron basis every run starts near.
 * Two runs that never left the identity agree perfectly with each other, so a pair's
 * agreement means something only beside each run's own agreement with the identity (and
 * beside `chance`, two random rotations).
 */

export interface Agreement {
  readonly meanAbsCos: number
  readonly permutationDistance: number
}

export interface RunBasis {
  readonly runId: number
  /** Rows are the basis directions (unit length or not; they are normalised). */
  readonly directions: Mat
}

export interface BasisSimilarity {
  readonly size: number
  /** Mean |cos| of two Haar-random rotations of this size (a few seeded trials). */
  readonly chance: number
  /** Each basis against the identity, in input order. */
  readonly identity: (Agreement & { runId: number })[]
  /** Every pair i < j, in input order. */
  readonly pairs: (Agreement & { a: number; b: number })[]
}

/**
 * The directions of a basis transform, one per row. ã = T·a writes a = T⁻¹·ã, so direction
 * i is column i of T⁻¹, i.e. row i of (T⁻¹)ᵀ; for a rotation R that is row i of R itself.
 */
/** A stored tensor as a square matrix, or null when it is not one. */
export function squareMatrix(t: { shape: readonly number[]; data: ArrayLike<number> }): Mat | null {
  return t.shape.length === 2 && t.shape[0] === t.shape[1]
    ? mat(t.shape[0], t.shape[1], t.data)
    : null
}

export function basisDirections(transform: Mat, inverse: Mat | null): Mat {
  return inverse === null ? transform : transpose(inverse)
}

function agreement(a: Mat, b: Mat): Agreement {
  const { meanAbsCos, permutationDistance } = basisAgreement(a, b, { k: 0 })
  return { meanAbsCos, permutationDistance }
}

/** Compares bases of one space, all of the same size; `seed` seeds the chance level. */
export function basisSimilarity(bases: readonly RunBasis[], seed: number): BasisSimilarity {
  const size = bases[0]?.directions.rows ?? 0
  for (const b of bases) {
    if (b.directions.rows !== size || b.directions.cols !== size) {
      throw new RangeError(
        `basisSimilarity: run ${b.runId}'s basis is ${b.directions.rows}×${b.directions.cols}, expected ${size}×${size}`,
      )
    }
  }
  const eye = identity(size)
  const pairs: BasisSimilarity['pairs'] = []
  for (let i = 0; i < bases.length; i++) {
    for (let j = i + 1; j < bases.length; j++) {
      pairs.push({
        a: bases[i].runId,
        b: bases[j].runId,
        ...agreement(bases[i].directions, bases[j].directions),
      })
    }
  }
  return {
    size,
    chance: size > 0 ? agreementBaseline(size, { seed }).mean : 0,
    identity: bases.map((b) => ({ runId: b.runId, ...agreement(b.directions, eye) })),
    pairs,
  }
}
