import { describe, expect, it } from 'vitest'
import { histogramOption, histogramShares, powerOfTen, specialBins, topEdge } from './histogram.ts'
import { type AnyOption, testTheme } from './test-theme.ts'

const theme = testTheme()

// 20 entries: 6 exact zeros, 2 tiny, 12 in two decades [1e-2, 1e-1), [1e-1, 1).
const neuron = { log10Min: -2, log10Max: 0, zeros: 6, below: 2, counts: [4, 8] }
const learned = { log10Min: -2, log10Max: 0, zeros: 0, below: 10, counts: [2, 8] }

describe('|J| histogram', () => {
  it('counts exact zeros apart from the values below the first bin', () => {
    const s = histogramShares(neuron)
    expect(s.total).toBe(20)
    expect(s.zeros).toBe(0.3)
    expect(s.below).toBe(0.1)
    expect(s.bins).toEqual([
      { lo: -2, hi: -1, share: 0.2 },
      { lo: -1, hi: 0, share: 0.4 },
    ])
    // Old summaries had no zero count: the zeros are inside `below`, and nothing says 0.
    const old = histogramShares({ log10Min: -2, log10Max: 0, below: 8, counts: [4, 8] })
    expect(old.zeros).toBeNull()
    expect(old.below).toBe(0.4)
  })

  it('draws the exact-zero bin left of the tiny-value bin, with ticks in |J| units', () => {
    const o = histogramOption(
      [
        { name: 'neuron basis', histogram: neuron },
        { name: 'learned', histogram: learned },
      ],
      theme,
      { nearZeroThreshold: 0.01 },
    ) as AnyOption
    const { zero, below } = specialBins(-2)
    // Per entry: the decades, the tiny bin and the zero bin, all under one legend name.
    expect(o.series.map((s: AnyOption) => s.name)).toEqual([
      'neuron basis',
      'neuron basis',
      'neuron basis',
      'learned',
      'learned',
      'learned',
    ])
    const zeroBar = o.series[2].data as [number, number][]
    expect(zeroBar[0]).toEqual([zero[0], 0])
    expect(Math.max(...zeroBar.map((p) => p[1]))).toBe(0.3)
    expect(Math.max(...(o.series[5].data as [number, number][]).map((p) => p[1]))).toBe(0)
    expect(Math.max(...(o.series[4].data as [number, number][]).map((p) => p[1]))).toBe(0.5)
    const ticks: number[] = o.xAxis.axisLabel.customValues
    const labels = ticks.map((t) => o.xAxis.axisLabel.formatter(t))
    expect(labels).toEqual(['0', '<1e-2', '1e-2', '1e-1', '1e0'])
    expect(ticks[1]).toBe((below[0] + below[1]) / 2)
    expect(o.xAxis.min).toBeLessThan(zero[0])
    // The threshold: 1% of the largest |J| seen (the top edge of the highest full bin, 1e0).
    expect(topEdge(neuron)).toBe(0)
    expect(o.series[0].markLine.data[0].xAxis).toBe(-2)
    expect(o.series[0].markLine.data[0].label.formatter).toBe('1% of max |J|')
    // The tooltip names bins in |J| units, not log10.
    const tip = o.tooltip.formatter([{ axisValue: (zero[0] + zero[1]) / 2 }])
    expect(tip).toContain('|J| = 0 exactly')
    expect(tip).toContain('neuron basis: 30.00%')
    expect(o.tooltip.formatter([{ axisValue: -0.5 }])).toContain('|J| 0.1 – 1')
  })

  it('says "0 or <1e-8" where a summary did not count zeros apart', () => {
    const old = { log10Min: -8, log10Max: 2, below: 5, counts: [1, 2] }
    const o = histogramOption([{ name: 'neuron basis', histogram: old }], theme) as AnyOption
    expect(o.series).toHaveLength(2)
    const labels = o.xAxis.axisLabel.customValues.map((t: number) => o.xAxis.axisLabel.formatter(t))
    expect(labels[0]).toBe('0 or <1e-8')
    expect(labels).not.toContain('0')
  })

  it('stands the bars on a floor above 0 on a log y axis', () => {
    const o = histogramOption([{ name: 'a', histogram: neuron }], theme, {
      yLog: true,
    }) as AnyOption
    const ys = o.series.flatMap((s: AnyOption) => (s.data as [number, number][]).map((p) => p[1]))
    expect(Math.min(...ys)).toBeGreaterThan(0)
    expect(o.yAxis.min).toBe(Math.min(...ys))
    expect(powerOfTen(-3)).toBe('1e-3')
    expect(powerOfTen(-2.5)).toBe('0.00316')
  })
})
