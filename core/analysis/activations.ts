import type { Mat } from '../linalg/matrix.ts'
import { forward } from '../model/forward.ts'
import type { MlpParams } from '../model/mlp.ts'

/**
 * Runs layers `from`+1 … `to` of the network on activations of space `from`
 * ([n × d_from] row-major) and returns those of space `to` (a_k = σ(z_k) for hidden k,
 * the logits z_L for k = L). `weights` overrides W_k for the 1-based layers it names.
 * Spaces: 0 is the input, L the logits.
 */
export function propagate(
  params: MlpParams,
  from: number,
  to: number,
  a: Float32Array,
  n: number,
  weights: ReadonlyMap<number, Float32Array> = new Map(),
): Float32Array {
  if (from === to) return Float32Array.from(a)
  return forward(params, a, n, { from, to, weights }).output
}

/** Activations of space k in basis R (ã = R·a for each row; R null = identity). */
export function rotatedActivations(
  params: MlpParams,
  basis: Mat | null,
  space: number,
  x: Float32Array,
  n: number,
): Float32Array {
  if (!basis) return propagate(params, 0, space, x, n)
  const d = params.sizes[space]
  if (basis.rows !== d || basis.cols !== d) {
    throw new Error(`rotatedActivations: basis ${basis.rows}×${basis.cols} for width ${d}`)
  }
  const changes = params.sizes.map((_, k) =>
    k === space ? { forward: basis, inverse: basis } : null,
  )
  // Only T_space's forward side is used: nothing downstream of the space is computed.
  return forward(params, x, n, { to: space, changes, activations: [space] }).activations.get(space)!
}
