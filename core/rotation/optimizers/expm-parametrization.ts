import { type Mat, axpby, matmul, matmulNT, transpose } from '../../linalg/matrix.ts'
import { expmFrechet, expmGradient } from '../expm.ts'

/**
 * The parametrization of the original method, R = expm(A − Aᵀ)·R_init over an
 * unconstrained A, shared by `seed-gd` (its plain gradient descent) and `reference-adam`
 * (what a PyTorch user writes: Adam on A, autograd through matrix_exp).
 */
export function expmRotation(a: Mat, init: Mat): Mat {
  return matmul(expmFrechet(axpby(1, a, -1, transpose(a)), null).exp, init)
}

/**
 * ∂f/∂A from G = ∂f/∂R: through R = Q·R_init (∂f/∂Q = G·R_initᵀ), through Q = expm(X)
 * exactly (the adjoint Fréchet derivative), and through X = A − Aᵀ.
 */
export function gradientOnA(a: Mat, init: Mat, g: Mat): Mat {
  const x = axpby(1, a, -1, transpose(a))
  const gx = expmGradient(x, matmulNT(g, init))
  return axpby(1, gx, -1, transpose(gx))
}
