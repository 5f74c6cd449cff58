import os from 'node:os'
import type { Dtype } from '../api/records.ts'
import { BasiscopeError, fileError } from '../errors.ts'
import type { StoredTensor } from './types.ts'

/**
 * Tensors in a project file: the typed array's elements as little-endian bytes in a BLOB,
 * with dtype and shape (JSON) beside it. Reading copies into a fresh ArrayBuffer, so the
 * typed array is always properly aligned whatever Buffer SQLite hands back.
 */

type TypedArray = StoredTensor['data']
type TypedArrayConstructor =
  Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor

const ARRAY_TYPES: Record<Dtype, TypedArrayConstructor> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
}

const LITTLE_ENDIAN_HOST = os.endianness() === 'LE'

export interface EncodedTensor {
  readonly dtype: Dtype
  /** The shape as JSON text. */
  readonly shape: string
  readonly data: Buffer
  readonly bytes: number
}

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(ARRAY_TYPES, value)
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1)
}

function invalid(message: string): BasiscopeError {
  return new BasiscopeError('INVALID_ARGUMENT', message)
}

/** Checks a tensor (dtype matches the array type, shape matches the length) and encodes it. */
export function encodeTensor(tensor: StoredTensor, what = 'tensor'): EncodedTensor {
  const { dtype, shape, data } = tensor
  if (!isDtype(dtype)) throw invalid(`${what}: unknown dtype ${JSON.stringify(dtype)}`)
  if (!(data instanceof ARRAY_TYPES[dtype])) {
    throw invalid(`${what}: dtype is ${dtype} but the data is a ${data.constructor.name}`)
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw invalid(`${what}: shape must be a list of non-negative integers, got ${String(shape)}`)
  }
  const count = elementCount(shape)
  if (count !== data.length) {
    throw invalid(
      `${what}: shape [${shape.join(', ')}] has ${count} elements but the data has ${data.length}`,
    )
  }
  let bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (!LITTLE_ENDIAN_HOST && data.BYTES_PER_ELEMENT > 1) {
    bytes = Buffer.from(bytes) // copy, then swap in place
    if (data.BYTES_PER_ELEMENT === 4) bytes.swap32()
    else bytes.swap64()
  }
  return { dtype, shape: JSON.stringify(shape), data: bytes, bytes: data.byteLength }
}

/**
 * Decodes a stored tensor. `file` and `what` name the source in errors: a mismatch means
 * the file is damaged.
 */
export function decodeTensor(
  file: string,
  what: string,
  dtype: unknown,
  shapeJson: unknown,
  data: unknown,
): StoredTensor {
  if (!isDtype(dtype)) throw fileError(file, `${what} has unknown dtype ${JSON.stringify(dtype)}`)
  let shape: unknown
  try {
    shape = JSON.parse(String(shapeJson))
  } catch {
    shape = undefined
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fileError(file, `${what} has an invalid shape ${String(shapeJson)}`)
  }
  const bytes: Uint8Array = data instanceof Uint8Array ? data : new Uint8Array(0)
  const Type = ARRAY_TYPES[dtype]
  const expected = elementCount(shape) * Type.BYTES_PER_ELEMENT
  if (bytes.byteLength !== expected) {
    throw fileError(
      file,
      `${what} has ${bytes.byteLength} bytes of data, expected ${expected} for ${dtype} [${shape.join(', ')}]`,
    )
  }
  const copy = new Uint8Array(new ArrayBuffer(expected))
  copy.set(bytes)
  if (!LITTLE_ENDIAN_HOST && Type.BYTES_PER_ELEMENT > 1) {
    const view = Buffer.from(copy.buffer)
    if (Type.BYTES_PER_ELEMENT === 4) view.swap32()
    else view.swap64()
  }
  const array: TypedArray = new Type(copy.buffer)
  return { dtype, shape: shape as number[], data: array }
}
