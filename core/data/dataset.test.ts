import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { gatherLabels, gatherRows, sha256Float32 } from './dataset.ts'
import type { Dataset } from './dataset.ts'

function tiny(): Dataset {
  // 3 examples of 2×2: example i has pixels i/10 + j/100.
  const images = new Float32Array(12)
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) images[i * 4 + j] = i / 10 + j / 100
  return {
    name: 'tiny',
    n: 3,
    width: 2,
    height: 2,
    dim: 4,
    classes: 10,
    images,
    labels: Uint8Array.from([7, 1, 4]),
    sha256: sha256Float32(images),
  }
}

describe('sha256Float32', () => {
  it('hashes the little-endian float32 bytes', () => {
    const a = Float32Array.from([0, 1, -2.5, 0.1])
    const bytes = Buffer.alloc(16)
    a.forEach((v, i) => bytes.writeFloatLE(v, i * 4))
    expect(sha256Float32(a)).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  it('hashes only the view, not the whole underlying buffer', () => {
    const big = Float32Array.from([9, 1, 2, 9])
    expect(sha256Float32(big.subarray(1, 3))).toBe(sha256Float32(Float32Array.from([1, 2])))
  })

  it('is the sha256 of no bytes for an empty array', () => {
    expect(sha256Float32(new Float32Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })
})

describe('gatherRows / gatherLabels', () => {
  it('returns rows and labels in the given order, repeats allowed', () => {
    const ds = tiny()
    const rows = gatherRows(ds, [2, 0, 2])
    expect(rows).toHaveLength(12)
    expect(Array.from(rows.subarray(0, 4))).toEqual(Array.from(ds.images.subarray(8, 12)))
    expect(Array.from(rows.subarray(4, 8))).toEqual(Array.from(ds.images.subarray(0, 4)))
    expect(Array.from(rows.subarray(8, 12))).toEqual(Array.from(ds.images.subarray(8, 12)))
    expect(Array.from(gatherLabels(ds, [2, 0, 2]))).toEqual([4, 7, 4])
  })

  it('returns copies', () => {
    const ds = tiny()
    const rows = gatherRows(ds, [0])
    rows[0] = 42
    expect(ds.images[0]).toBe(0)
  })

  it('handles an empty index list', () => {
    expect(gatherRows(tiny(), [])).toHaveLength(0)
    expect(gatherLabels(tiny(), [])).toHaveLength(0)
  })

  it('rejects indices outside the dataset, naming the position', () => {
    const ds = tiny()
    expect(() => gatherRows(ds, [0, 3])).toThrow(BasiscopeError)
    expect(() => gatherRows(ds, [0, 3])).toThrow(/indices\[1\] = 3 .*\[0, 3\)/)
    expect(() => gatherLabels(ds, [-1])).toThrow(/indices\[0\] = -1/)
    expect(() => gatherLabels(ds, [1.5])).toThrow(/indices\[0\] = 1.5/)
  })
})
