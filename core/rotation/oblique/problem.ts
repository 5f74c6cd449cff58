import { matmul, matmulTN, scale, transpose } from '../../linalg/matrix.ts'
import {
  type BasisParametrization,
  type ProblemSpec,
  type RotationProblem,
  createProblem,
} from '../problem.ts'
import { inverse } from './manifold.ts'

/**
 * The same problem as `createProblem` (../problem.ts) with general invertible bases:
 * ã_k = T_k·a_k, T_k⁻¹ inserted after, so the layer Jacobian in the new bases is
 *   J̃_k(x) = T_k·D_k(x)·W_k·T_{k-1}⁻¹.
 * The parameter of each free space is M = T⁻¹ with unit columns (the oblique manifold,
 * ./manifold.ts): `spec.bases` and `evaluate`'s matrices are M's (null = identity), and
 * the gradients are Euclidean ∂L/∂M — optimizers project them onto the tangent space.
 *
 * Why M = T⁻¹ and not T:
 * - The normalisation belongs on the basis directions: a = M·ã = Σ_j ã_j·m_j, so column j
 *   of M is direction j in neuron coordinates, and ‖m_j‖ = 1 fixes the scale of
 *   coordinate j — that is, of row j of J̃ in the layer writing the space and of column j
 *   in the layer reading it, both at once. Without it T could shrink J̃ at will.
 * - The reading side is linear in M (J̃ ∝ W·M_in): its gradient is the rotation
 *   objective's input-side gradient transposed, no solve — and the reading side is layer
 *   1's, where inputs are widest. Only the writing side needs T = M⁻¹ (one LU of a d×d
 *   matrix per evaluation), with dT = −T·dM·T giving ∂L/∂M = −Tᵀ·(∂L/∂T)·Tᵀ.
 * - It is factor analysis's oblique rotation (Jennrich 2002, gradient projection): there
 *   loadings are Λ = A·(Tᵀ)⁻¹ with unit-length columns of T, which is J̃ᵀ = Jᵀ·M⁻ᵀ here.
 *
 * The Jacobian code (RotatedLayer) takes R_in and uses R_inᵀ, so the reading side is
 * handed Mᵀ (its transpose M = T⁻¹ is what multiplies W), the writing side T.
 */
export const obliqueParametrization: BasisParametrization = {
  prepare: (m) => ({ reading: transpose(m), writing: inverse(m) }),
  // Reading side: the objective's gradient is w.r.t. the matrix passed, Mᵀ.
  pullReading: (_m, _prepared, g) => transpose(g),
  // Writing side: ∂L/∂M = −Tᵀ·G·Tᵀ for G = ∂L/∂T.
  pullWriting: (_m, { writing: t }, g) => scale(matmulTN(t, matmul(g, transpose(t))), -1),
}

export function createObliqueProblem(spec: ProblemSpec): RotationProblem {
  return createProblem(spec, obliqueParametrization)
}
