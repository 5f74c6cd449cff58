import { describe, expect, it } from 'vitest'
import { LUT_SIZE, colorAt, colorStops, colormapLut } from './colormaps.ts'

const rgb = (lut: Uint8ClampedArray, i: number) => Array.from(lut.subarray(i * 4, i * 4 + 3))
const near = (a: number[], b: number[], tol = 4) => a.every((v, i) => Math.abs(v - b[i]) <= tol)

describe('colormaps', () => {
  it('are 256 opaque RGBA entries', () => {
    for (const name of ['viridis', 'magma', 'diverging', 'gray'] as const) {
      const lut = colormapLut(name)
      expect(lut).toHaveLength(LUT_SIZE * 4)
      for (let i = 0; i < LUT_SIZE; i++) expect(lut[i * 4 + 3]).toBe(255)
    }
  })

  it('match matplotlib at the ends (viridis, magma)', () => {
    const v = colormapLut('viridis')
    expect(near(rgb(v, 0), [68, 1, 84])).toBe(true)
    expect(near(rgb(v, 255), [253, 231, 37], 6)).toBe(true)
    const m = colormapLut('magma')
    expect(near(rgb(m, 0), [0, 0, 4])).toBe(true)
    expect(near(rgb(m, 255), [252, 253, 191], 8)).toBe(true)
  })

  it('get lighter monotonically in viridis (perceptual order)', () => {
    const v = colormapLut('viridis')
    const luma = (i: number) => 0.2126 * v[i * 4] + 0.7152 * v[i * 4 + 1] + 0.0722 * v[i * 4 + 2]
    for (let i = 8; i < LUT_SIZE; i += 8) expect(luma(i)).toBeGreaterThan(luma(i - 8))
  })

  it('diverge from blue through near-white to red', () => {
    const d = colormapLut('diverging')
    const [r0, , b0] = rgb(d, 0)
    const [r1, , b1] = rgb(d, 255)
    expect(b0).toBeGreaterThan(r0)
    expect(r1).toBeGreaterThan(b1)
    expect(Math.min(...rgb(d, 128))).toBeGreaterThan(235)
    expect(colorAt('diverging', 0.5)).toMatch(/^rgb\(24\d, 24\d, 24\d\)$/)
    expect(colorStops('gray', 3)).toEqual([
      'rgb(0, 0, 0)',
      'rgb(128, 128, 128)',
      'rgb(255, 255, 255)',
    ])
  })
})
