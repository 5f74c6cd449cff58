import { describe, expect, it } from 'vitest'
import type { MetricPoint } from '../api/records.ts'
import { downsampleMinMax } from './downsample.ts'

function series(values: number[]): MetricPoint[] {
  return values.map((value, i) => ({ step: i, wallTime: 1000 + i, value }))
}

describe('downsampleMinMax', () => {
  it('returns short series unchanged', () => {
    const s = series([3, 1, 2])
    expect(downsampleMinMax(s, 3)).toEqual(s)
    expect(downsampleMinMax(s, 10)).toEqual(s)
  })

  it('keeps first, last, spikes and dips, in step order, within maxPoints', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50))
    values[1234] = 40 // spike
    values[7777] = -40 // dip
    values[5000] = 39.5 // a second spike in another bucket
    const out = downsampleMinMax(series(values), 100)
    expect(out.length).toBeLessThanOrEqual(100)
    expect(out.length).toBeGreaterThan(90)
    expect(out[0].step).toBe(0)
    expect(out[out.length - 1].step).toBe(9999)
    const steps = out.map((p) => p.step)
    expect(steps).toEqual([...steps].sort((a, b) => a - b))
    expect(new Set(steps).size).toBe(steps.length)
    expect(steps).toContain(1234)
    expect(steps).toContain(7777)
    expect(steps).toContain(5000)
  })

  it('keeps a NaN (divergence) as an extreme', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i % 7)
    values[500] = Number.NaN
    const out = downsampleMinMax(series(values), 20)
    expect(out.some((p) => Number.isNaN(p.value))).toBe(true)
    expect(out.length).toBeLessThanOrEqual(20)
  })

  it('handles tiny budgets and rejects invalid ones', () => {
    const s = series([5, 1, 9, 2])
    expect(downsampleMinMax(s, 2).map((p) => p.step)).toEqual([0, 3])
    expect(downsampleMinMax(s, 3).map((p) => p.step)).toEqual([0, 3])
    expect(() => downsampleMinMax(s, 1)).toThrow(/maxPoints must be an integer of at least 2/)
    expect(() => downsampleMinMax(s, 2.5)).toThrow(/maxPoints/)
  })
})
