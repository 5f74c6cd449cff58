import { describe, expect, it } from 'vitest'
import { colormapLut } from './colormaps.ts'
import { paintTiles, tileGridSize } from './image-tiles.ts'

describe('image tiles', () => {
  const grid = { width: 2, height: 2, perRow: 2, gap: 1 }

  it('lays tiles out in rows with gaps', () => {
    expect(tileGridSize(1, grid)).toEqual({ width: 2, height: 2 })
    expect(tileGridSize(3, grid)).toEqual({ width: 5, height: 5 })
    expect(tileGridSize(9, { width: 28, height: 28, perRow: 3, gap: 1 })).toEqual({
      width: 86,
      height: 86,
    })
  })

  it('paints each tile at its place and leaves the gaps transparent', () => {
    // Three 2×2 tiles: all 0, all 1, all 0.5 (gray LUT).
    const values = Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5])
    const out = new Uint8ClampedArray(5 * 5 * 4)
    paintTiles(out, values, 0, 3, grid, colormapLut('gray'), 0, 1)
    const at = (x: number, y: number) =>
      Array.from(out.subarray((y * 5 + x) * 4, (y * 5 + x) * 4 + 4))
    expect(at(0, 0)).toEqual([0, 0, 0, 255])
    expect(at(3, 1)).toEqual([255, 255, 255, 255])
    expect(at(1, 4)).toEqual([128, 128, 128, 255])
    expect(at(2, 0)[3]).toBe(0) // gap column
    expect(at(4, 4)[3]).toBe(0) // no fourth tile
  })

  it('reads from an offset (one direction of a [directions, top, pixels] tensor)', () => {
    const values = Float32Array.from([9, 9, 9, 9, 1, 1, 1, 1])
    const out = new Uint8ClampedArray(2 * 2 * 4)
    paintTiles(out, values, 4, 1, grid, colormapLut('gray'), 0, 1)
    expect(out[0]).toBe(255)
  })
})
