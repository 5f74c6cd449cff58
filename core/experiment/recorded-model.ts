import { BasiscopeError } from '../errors.ts'
import { type Mat, mat, transpose } from '../linalg/matrix.ts'
import { type Activation, type DenseLayer, type MlpParams, layerSizes } from '../model/mlp.ts'
import type { BasisChange } from '../rotation/transform.ts'

/**
 * A recorded run's model and bases rebuilt from its stored tensors (the `fc{k}` weights a
 * run writes, and each learned basis as R — whose inverse is Rᵀ — or as T with T⁻¹).
 * The store is the caller's; this only knows the tensors' names and shapes.
 */

export interface RecordedTensor {
  readonly shape: readonly number[]
  readonly data: ArrayLike<number>
}

/** The MLP from `fc{k}.weight` / `fc{k}.bias` (null for a name that is not stored). */
export function modelFromTensors(
  tensor: (name: string) => RecordedTensor | null,
  activation: Activation,
): MlpParams {
  const need = (name: string): RecordedTensor => {
    const t = tensor(name)
    if (!t) throw new BasiscopeError('INVALID_FILE', `the run's model has no ${name}`, name)
    return t
  }
  const layers: DenseLayer[] = []
  // Each tensor is read once: the store reads it from the project file on every call.
  for (let k = 1; ; k++) {
    const w = tensor(`fc${k}.weight`)
    if (!w) break
    layers.push({
      inDim: w.shape[1],
      outDim: w.shape[0],
      weight: Float32Array.from(w.data),
      bias: Float32Array.from(need(`fc${k}.bias`).data),
    })
  }
  if (layers.length === 0) {
    throw new BasiscopeError('INVALID_FILE', `the run's model has no fc1.weight`, 'fc1.weight')
  }
  return { sizes: layerSizes(layers), activation, layers }
}

function matrixOf(t: RecordedTensor, what: string): Mat {
  if (t.shape.length !== 2) {
    throw new BasiscopeError(
      'INVALID_FILE',
      `${what}: expected a matrix, got shape [${t.shape.join(', ')}]`,
    )
  }
  return mat(t.shape[0], t.shape[1], t.data)
}

/** A learned change of basis: a rotation (inverse absent: Rᵀ) or an oblique T with T⁻¹. */
export function basisChangeOf(
  forward: RecordedTensor,
  inverse: RecordedTensor | null,
  what: string,
): BasisChange {
  const f = matrixOf(forward, what)
  return inverse === null
    ? { kind: 'rotation', forward: f, inverse: transpose(f) }
    : { kind: 'oblique', forward: f, inverse: matrixOf(inverse, `${what} (inverse)`) }
}
