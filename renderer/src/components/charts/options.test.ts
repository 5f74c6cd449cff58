import { describe, expect, it } from 'vitest'
import { barOption, circuitOption, logAxisRange, seriesOption, spreadFormat } from './options.ts'
import { type AnyOption, testTheme } from './test-theme.ts'

const theme = testTheme()

describe('seriesOption', () => {
  it('drops points a log axis cannot show and keeps the rest in order', () => {
    const o = seriesOption(
      {
        series: [
          {
            name: 'a',
            points: [
              [0, 1],
              [1, 0],
              [10, 2],
              [100, NaN],
            ],
          },
        ],
        xLog: true,
        yLog: true,
      },
      theme,
    ) as AnyOption
    expect(o.series[0].data).toEqual([[10, 2]])
    expect(o.xAxis.type).toBe('log')
    expect(o.legend).toBeUndefined()
  })

  it('shows a legend for several series and reference lines on the first', () => {
    const o = seriesOption(
      {
        series: [
          { name: 'a', points: [[1, 1]] },
          { name: 'b', points: [[1, 2]], dashed: true },
        ],
        markLines: [{ y: 0.5, label: 'neuron basis' }],
        zoom: true,
      },
      theme,
    ) as AnyOption
    expect(o.legend).toBeDefined()
    expect(o.series[1].lineStyle.type).toBe('dashed')
    expect(o.series[0].markLine.data[0]).toMatchObject({ yAxis: 0.5, name: 'neuron basis' })
    expect(o.series[1].markLine).toBeUndefined()
    expect(o.dataZoom).toHaveLength(2)
  })

  it('leaves context curves out of the legend, and a lone listed curve needs none', () => {
    const faint = { name: 'a · raw', points: [[1, 1]] as const, legend: false }
    const listed = seriesOption(
      { series: [faint, { name: 'a', points: [[1, 1]] }, { name: 'b', points: [[1, 2]] }] },
      theme,
    ) as AnyOption
    expect(listed.legend.data).toEqual(['a', 'b'])
    const alone = seriesOption(
      { series: [faint, { name: 'a', points: [[1, 1]] }] },
      theme,
    ) as AnyOption
    expect(alone.legend).toBeUndefined()
  })
})

describe('spreadFormat', () => {
  it('gives tick labels the digits a narrow range needs', () => {
    const f = spreadFormat([2.224, 2.236])
    expect([2.224, 2.226, 2.228].map(f)).toEqual(['2.224', '2.226', '2.228'])
    expect(spreadFormat([0, 1])(0.5)).toBe('0.5')
    expect(spreadFormat([5, 5])(5)).toBe('5')
  })
})

describe('logAxisRange', () => {
  it('fits a log axis to the data with ticks inside it', () => {
    const narrow = logAxisRange([3100, 4000, 5200])!
    expect(narrow.min).toBeLessThan(3100)
    expect(narrow.max).toBeGreaterThan(5200)
    expect(narrow.max / narrow.min).toBeLessThan(2)
    expect(narrow.ticks).toEqual([4000, 5000])
    expect(narrow.ticks.length).toBeGreaterThanOrEqual(2)
    expect(logAxisRange([1e-6, 1e-3, 1])!.ticks).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1])
    expect(logAxisRange([0.02, 0.9])!.ticks).toEqual([0.02, 0.05, 0.1, 0.2, 0.5, 1])
    expect(logAxisRange([0, -1, NaN])).toBeNull()
  })

  it('puts a log y axis on the data and integer ticks on step axes', () => {
    const o = seriesOption(
      {
        series: [
          {
            name: 'a',
            points: [
              [0, 5200],
              [1, 3100],
            ],
          },
        ],
        yLog: true,
        xInteger: true,
      },
      theme,
    ) as AnyOption
    expect(o.yAxis.min).toBeGreaterThan(1000)
    expect(o.yAxis.axisLabel.customValues).toEqual([4000, 5000])
    expect(o.xAxis.minInterval).toBe(1)
  })
})

describe('barOption and circuitOption', () => {
  it('groups bars per category', () => {
    const o = barOption(
      ['layer 1', 'layer 2'],
      [{ name: 'learned', values: [0.3, null] }],
      theme,
    ) as AnyOption
    expect(o.xAxis.data).toEqual(['layer 1', 'layer 2'])
    expect(o.series[0]).toMatchObject({ type: 'bar', name: 'learned', data: [0.3, null] })
  })

  it('puts each space in its own column with a title, edges scaled by weight', () => {
    const graph = {
      nodes: [
        { id: 'L0:3', space: 0, index: 3 },
        { id: 'L1:0', space: 1, index: 0 },
        { id: 'L1:5', space: 1, index: 5 },
      ],
      edges: [
        { from: 'L0:3', to: 'L1:0', layer: 1, weight: 2 },
        { from: 'L0:3', to: 'L1:5', layer: 1, weight: 1 },
      ],
    }
    const o = circuitOption(graph, theme, (s) => (s === 0 ? 'input' : `h${s}`)) as AnyOption
    const data = o.series[0].data as { id: string; x: number; name: string; y: number }[]
    expect(data.filter((d) => d.id.startsWith('header:')).map((d) => d.name)).toEqual([
      'input',
      'h1',
    ])
    const byId = Object.fromEntries(data.map((d) => [d.id, d]))
    expect(byId['L0:3'].x).toBe(0)
    expect(byId['L1:0'].x).toBe(100)
    expect(byId['L1:0'].y).toBeLessThan(byId['L1:5'].y)
    const links = o.series[0].links as { lineStyle: { width: number } }[]
    expect(links[0].lineStyle.width).toBeGreaterThan(links[1].lineStyle.width)
  })
})
