import { describe, expect, it } from 'vitest'
import { parallelOption, scatterOption } from './runs-options.ts'
import { type AnyOption, testTheme } from './test-theme.ts'

const theme = testTheme()

describe('scatterOption', () => {
  it('puts one point per run in its group’s series, leaving out what an axis cannot show', () => {
    const point = (id: number, x: number, y: number, series = 'lr 1e-3') => ({
      id,
      name: `run <${id}>`,
      series,
      x,
      y,
    })
    const o = scatterOption(
      [point(1, 1e-3, 0.4), point(2, 1e-2, 0.5), point(3, 0, 0.2), point(4, 1e-4, 0.3, 'seed-gd')],
      theme,
      { x: 'rotation.optimizer.lr', y: 'layer 2 nearZero', xLog: true },
    ) as AnyOption
    expect(o.xAxis).toMatchObject({ type: 'log', name: 'rotation.optimizer.lr' })
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(['lr 1e-3', 'seed-gd'])
    // lr 0 has no place on a log axis.
    expect(o.series[0].data.map((d: { run: { id: number } }) => d.run.id)).toEqual([1, 2])
    expect(o.series[1].itemStyle.color).toBe(theme.palette[1])
    expect(o.legend).toBeDefined()
    // The tooltip names the run, its name escaped.
    const tip = o.tooltip.formatter({ data: o.series[0].data[0] })
    expect(tip).toContain('#1 run &lt;1&gt;')
    expect(tip).toContain('layer 2 nearZero 0.4')
  })
})

describe('parallelOption', () => {
  it('gives numbers a value axis, text a category axis, and each run one line', () => {
    const o = parallelOption(
      [
        { name: 'optimizer', numeric: false },
        { name: 'nearZero L1', numeric: true },
      ],
      [
        { id: 1, name: 'a', series: 'runs', values: ['riemannian-adam', 0.25] },
        { id: 2, name: 'b', series: 'runs', values: ['seed-gd', null] },
      ],
      theme,
    ) as AnyOption
    expect(o.parallelAxis[0]).toMatchObject({
      type: 'category',
      data: ['riemannian-adam', 'seed-gd'],
    })
    expect(o.parallelAxis[0].axisLabel.formatter('riemannian-adam')).toBe('riemannian-ad…')
    expect(o.parallelAxis[1]).toMatchObject({ type: 'value', scale: true })
    expect(o.series).toHaveLength(1)
    // A missing value is ECharts' empty mark, not 0.
    expect(o.series[0].data.map((d: { value: unknown[] }) => d.value)).toEqual([
      ['riemannian-adam', 0.25],
      ['seed-gd', '-'],
    ])
    expect(o.legend).toBeUndefined()
  })
})
