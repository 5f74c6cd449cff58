import { describe, expect, it } from 'vitest'
import { featureInputsArtifact } from './feature-inputs.ts'

describe('featureInputsArtifact', () => {
  it('stores the pixels of each direction’s top inputs as [directions, top, d0], in rank order', () => {
    // 4 inputs of 3 pixels; input i has pixels [i/10, i/10 + 0.01, i/10 + 0.02].
    const x = Float32Array.from({ length: 12 }, (_, e) => Math.floor(e / 3) / 10 + (e % 3) / 100)
    const top = [Int32Array.from([3, 0]), Int32Array.from([1, 2])]
    const a = featureInputsArtifact(2, top, x, 3)
    expect(a.kind).toBe('feature-inputs')
    expect(a.name).toBe('space2.top-inputs')
    expect(a.meta).toMatchObject({ space: 2 })
    expect(a.shape).toEqual([2, 2, 3])
    const rows = Array.from({ length: 4 }, (_, r) => Array.from(a.data.subarray(r * 3, r * 3 + 3)))
    const pixels = (i: number) => Array.from(x.subarray(i * 3, i * 3 + 3))
    expect(rows).toEqual([pixels(3), pixels(0), pixels(1), pixels(2)])
  })

  it('is empty but well-shaped when there are no inputs', () => {
    const a = featureInputsArtifact(
      1,
      [new Int32Array(0), new Int32Array(0)],
      new Float32Array(0),
      784,
    )
    expect(a.shape).toEqual([2, 0, 784])
    expect(a.data).toHaveLength(0)
  })
})
