/**
 * A labelled image dataset held in memory: the one shape every data source (the
 * embedded MNIST digits, IDX files) is turned into before training or analysis.
 */
import { createHash } from 'node:crypto'
import { endianness } from 'node:os'
import { BasiscopeError } from '../errors.ts'

export interface Dataset {
  /** 'mnist-embedded' or 'mnist-idx:<basename of the images file>'. */
  readonly name: string
  /** Number of examples. */
  readonly n: number
  readonly width: number
  readonly height: number
  /** width * height (784 for MNIST). */
  readonly dim: number
  /** Number of classes (10). */
  readonly classes: number
  /** n * dim, row-major (example i is images[i*dim … (i+1)*dim)), values in [0, 1]. */
  readonly images: Float32Array
  /** n labels in [0, classes). */
  readonly labels: Uint8Array
  /** sha256 hex of the images' float32 bytes in little-endian order. */
  readonly sha256: string
}

/** sha256 (hex) of a Float32Array's bytes, little-endian whatever the host's byte order. */
export function sha256Float32(values: Float32Array): string {
  const hash = createHash('sha256')
  if (endianness() === 'LE') {
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
  } else {
    const bytes = new Uint8Array(values.byteLength)
    const view = new DataView(bytes.buffer)
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true)
    hash.update(bytes)
  }
  return hash.digest('hex')
}

function checkIndices(ds: Dataset, indices: readonly number[], caller: string): void {
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) {
      throw new BasiscopeError(
        'INVALID_ARGUMENT',
        `${caller}: indices[${k}] = ${String(i)} is not an example of ${ds.name}; indices must be integers in [0, ${ds.n})`,
      )
    }
  }
}

/** The image rows at `indices`, in that order, as one indices.length × dim array. */
export function gatherRows(ds: Dataset, indices: readonly number[]): Float32Array {
  checkIndices(ds, indices, 'gatherRows')
  const { dim } = ds
  const out = new Float32Array(indices.length * dim)
  for (let k = 0; k < indices.length; k++) {
    const start = indices[k] * dim
    out.set(ds.images.subarray(start, start + dim), k * dim)
  }
  return out
}

/** The labels at `indices`, in that order. */
export function gatherLabels(ds: Dataset, indices: readonly number[]): Uint8Array {
  checkIndices(ds, indices, 'gatherLabels')
  const out = new Uint8Array(indices.length)
  for (let k = 0; k < indices.length; k++) out[k] = ds.labels[indices[k]]
  return out
}
