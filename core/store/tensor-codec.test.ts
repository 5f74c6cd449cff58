import { describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { decodeTensor, encodeTensor } from './tensor-codec.ts'
import type { StoredTensor } from './types.ts'

function bytesOf(t: StoredTensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)
}

describe('tensor codec', () => {
  it('round-trips every dtype bit-exactly into fresh aligned arrays', () => {
    const f32 = new Float32Array([1.5, -0, Number.NaN, Infinity, 1e-45, 3])
    new Uint32Array(f32.buffer)[2] = 0x7fc01234 // a NaN with a payload
    const tensors: StoredTensor[] = [
      { dtype: 'float32', shape: [2, 3], data: f32 },
      { dtype: 'float64', shape: [3], data: new Float64Array([Math.PI, -0, 5e-324]) },
      { dtype: 'int32', shape: [1, 2], data: new Int32Array([-2147483648, 2147483647]) },
      { dtype: 'uint8', shape: [3], data: new Uint8Array([0, 128, 255]) },
      { dtype: 'float32', shape: [], data: new Float32Array([7]) },
      { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
    ]
    for (const t of tensors) {
      const enc = encodeTensor(t)
      // SQLite hands back Buffers at arbitrary offsets: simulate an odd offset.
      const pool = Buffer.alloc(enc.data.length + 1)
      enc.data.copy(pool, 1)
      const dec = decodeTensor('f', 'x', enc.dtype, enc.shape, pool.subarray(1))
      expect(dec.dtype).toBe(t.dtype)
      expect(dec.shape).toEqual(t.shape)
      expect(dec.data.constructor).toBe(t.data.constructor)
      expect(dec.data.byteOffset).toBe(0)
      expect(bytesOf(dec).equals(bytesOf(t))).toBe(true)
    }
  })

  it('encodes a view of a larger buffer (only its own elements)', () => {
    const big = new Float32Array([9, 1, 2, 3, 9])
    const enc = encodeTensor({ dtype: 'float32', shape: [3], data: big.subarray(1, 4) })
    const dec = decodeTensor('f', 'x', enc.dtype, enc.shape, enc.data)
    expect(Array.from(dec.data)).toEqual([1, 2, 3])
    expect(enc.bytes).toBe(12)
  })

  it('refuses a mismatched dtype or shape', () => {
    expect(() => encodeTensor({ dtype: 'float64', shape: [2], data: new Float32Array(2) })).toThrow(
      /dtype is float64 but the data is a Float32Array/,
    )
    expect(() =>
      encodeTensor({ dtype: 'float32', shape: [2, 2], data: new Float32Array(3) }),
    ).toThrow(/shape \[2, 2\] has 4 elements but the data has 3/)
    expect(() =>
      encodeTensor({ dtype: 'float32', shape: [-1], data: new Float32Array(0) }),
    ).toThrow(BasiscopeError)
  })

  it('reports stored data of the wrong length as a damaged file', () => {
    const err = (() => {
      try {
        decodeTensor('/p/x.basiscope', 'artifact 3', 'float32', '[2]', Buffer.alloc(7))
      } catch (e) {
        return e as BasiscopeError
      }
    })()
    expect(err?.code).toBe('INVALID_FILE')
    expect(err?.message).toBe(
      '/p/x.basiscope: artifact 3 has 7 bytes of data, expected 8 for float32 [2]',
    )
  })
})
