import os from 'node:os'

/**
 * The element types of the safetensors format, their sizes, and how stored bytes become
 * typed arrays (little-endian on disk; F16 and BF16 widened to float32).
 */
export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL'

/** Bytes per element of each supported dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
}

export const DTYPES = Object.keys(DTYPE_BYTES) as SafetensorsDtype[]

/**
 * Decoded tensor values. Each dtype maps to the typed array that holds it exactly:
 * F64 → Float64Array, F32 → Float32Array, F16 and BF16 → Float32Array (widened; exact),
 * I64 → BigInt64Array and U64 → BigUint64Array (exact, never rounded through float64),
 * I32/I16/I8 → Int32Array/Int16Array/Int8Array, U32/U16/U8 → Uint32Array/Uint16Array/Uint8Array,
 * BOOL → Uint8Array (0 or 1).
 */
export type TensorData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array

export const LITTLE_ENDIAN_HOST = os.endianness() === 'LE'

/** Copies into a fresh, aligned buffer in host byte order. */
export function copyLittleEndian(src: Uint8Array, elementBytes: number): ArrayBuffer {
  const out = new Uint8Array(src.length)
  out.set(src)
  if (!LITTLE_ENDIAN_HOST && elementBytes > 1) swapBytes(out, elementBytes)
  return out.buffer
}

export function swapBytes(bytes: Uint8Array, elementBytes: number): void {
  for (let i = 0; i < bytes.length; i += elementBytes) {
    for (let a = i, b = i + elementBytes - 1; a < b; a++, b--) {
      const t = bytes[a]
      bytes[a] = bytes[b]
      bytes[b] = t
    }
  }
}

export function typedView(dtype: SafetensorsDtype, buf: ArrayBuffer): TensorData {
  switch (dtype) {
    case 'F64':
      return new Float64Array(buf)
    case 'F32':
      return new Float32Array(buf)
    case 'F16':
      return f16ToF32(new Uint16Array(buf))
    case 'BF16':
      return bf16ToF32(new Uint16Array(buf))
    case 'I64':
      return new BigInt64Array(buf)
    case 'I32':
      return new Int32Array(buf)
    case 'I16':
      return new Int16Array(buf)
    case 'I8':
      return new Int8Array(buf)
    case 'U64':
      return new BigUint64Array(buf)
    case 'U32':
      return new Uint32Array(buf)
    case 'U16':
      return new Uint16Array(buf)
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buf)
  }
}

/** IEEE 754 binary16 bit pattern → number (exact; handles subnormals, ±0, ±∞, NaN). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}

function f16ToF32(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length)
  for (let i = 0; i < h.length; i++) out[i] = halfToNumber(h[i])
  return out
}

/** bfloat16 is the top half of a float32. */
function bf16ToF32(h: Uint16Array): Float32Array {
  const bits = new Uint32Array(h.length)
  for (let i = 0; i < h.length; i++) bits[i] = h[i] << 16
  return new Float32Array(bits.buffer)
}
