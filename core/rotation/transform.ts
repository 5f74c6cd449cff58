import type { RunConfig } from '../api/run-config.ts'
import type { Transform } from '../model/forward.ts'
import { type Mat, transpose } from '../linalg/matrix.ts'
import { inverse } from './oblique/manifold.ts'
import { createObliqueProblem } from './oblique/problem.ts'
import { type ProblemSpec, type RotationProblem, createProblem } from './problem.ts'

/**
 * What kind of change of basis a run learns (config `rotation.transform`):
 * - `rotation`: R_k ∈ O(d_k), ã_k = R_k·a_k, Rᵀ inserted after; the parameter is R.
 * - `oblique`: T_k invertible, ã_k = T_k·a_k, T_k⁻¹ inserted after; the parameter is
 *   M_k = T_k⁻¹ with unit columns (see ./oblique/problem.ts).
 */
export type TransformKind = RunConfig['rotation']['transform']

export type { Transform } from '../model/forward.ts'

/**
 * A learned change of basis as every consumer takes it from the optimizer boundary on:
 * what kind it is, how it acts and its inverse. Consumers handle both kinds (T⁻¹ is never
 * assumed to be Tᵀ) or refuse the oblique one by name.
 */
export interface BasisChange extends Transform {
  readonly kind: TransformKind
}

export function basisChangeOf(kind: TransformKind, param: Mat): BasisChange {
  return { kind, ...transformOf(kind, param) }
}

/**
 * The sides a layer's Jacobian takes for these changes of basis (see BasisSides): T on the
 * writing side, T⁻ᵀ on the reading side (for rotations R on both, as given).
 */
export function changeSides(changes: readonly (BasisChange | null)[]): BasisSides {
  return {
    out: changes.map((c) => c?.forward ?? null),
    in: changes.map((c) => (c ? (c.kind === 'rotation' ? c.forward : transpose(c.inverse)) : null)),
  }
}

/** The transform a parameter stands for (R → R, Rᵀ; M → M⁻¹, M). */
export function transformOf(kind: TransformKind, param: Mat): Transform {
  return kind === 'oblique'
    ? { forward: inverse(param), inverse: param }
    : { forward: param, inverse: transpose(param) }
}

/**
 * The matrices a layer's Jacobian takes on each side, in the convention of RotatedLayer
 * and layerMetrics (`rIn`, `rOut`; J = rOut·D·W·rInᵀ): `out[i]` = T_i for the layer
 * writing space i, `in[i]` = T_i⁻ᵀ for the layer reading it. For rotations both are R
 * (the same arrays, unchanged), so rotation runs compute exactly what they always did.
 */
export interface BasisSides {
  readonly out: readonly (Mat | null)[]
  readonly in: readonly (Mat | null)[]
}

export function basisSides(kind: TransformKind, params: readonly (Mat | null)[]): BasisSides {
  if (kind === 'rotation') return { out: params, in: params }
  return {
    out: params.map((m) => (m ? inverse(m) : null)),
    in: params.map((m) => (m ? transpose(m) : null)),
  }
}

/** The optimization problem for the kind: parameters R (rotation) or M = T⁻¹ (oblique). */
export function createProblemFor(kind: TransformKind, spec: ProblemSpec): RotationProblem {
  return kind === 'oblique' ? createObliqueProblem(spec) : createProblem(spec)
}

/** The oblique parameter that starts where a rotation R would: M = Rᵀ, so T = R. */
export function initialParam(kind: TransformKind, rotation: Mat): Mat {
  return kind === 'oblique' ? transpose(rotation) : rotation
}
