import { describe, expect, it } from 'vitest'
import { type EChartsCoreOption, exportHeight, exportOption, optionToSvg } from './echarts.ts'
import { seriesOption } from './options.ts'
import { testTheme } from './test-theme.ts'

const theme = testTheme({
  dark: true,
  text: '#eee',
  muted: '#999',
  border: '#333',
  surface: '#1a2029',
  surface2: '#222',
  accent: '#5b8def',
  font: "system-ui, 'Segoe UI', sans-serif",
  palette: ['#6b9bff', '#f87171'],
})

describe('chart export', () => {
  const option = seriesOption(
    {
      series: [
        {
          name: 'a',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
        {
          name: 'b',
          points: [
            [0, 2],
            [1, 1],
          ],
        },
      ],
    },
    theme,
  )

  it('puts the figure title on top and moves the plot and legend down', () => {
    const o = exportOption(option, theme, {
      text: 'Objective · layer 1',
      subtext: '2519 → 2465',
    }) as Record<
      string,
      any // eslint-disable-line @typescript-eslint/no-explicit-any
    >
    expect(o.title).toMatchObject({ text: 'Objective · layer 1', subtext: '2519 → 2465' })
    expect(o.grid.top).toBe(36 + 44)
    expect(o.legend.top).toBe(44)
    expect(o.animation).toBe(false)
    expect(o.backgroundColor).toBe('#1a2029')
    expect(exportHeight(240, true)).toBe(284)
  })

  it('renders well-formed SVG with the theme background and title (server-side renderer)', () => {
    const svg = optionToSvg(exportOption(option, theme, { text: 'A & B' }), theme, 400, 284)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('A &amp; B')
    expect(svg).toContain('#1a2029')
    // No double quote inside an attribute value (the font list uses single quotes).
    expect(svg).not.toMatch(/font-family:[^;"]*"[^;]*;/)
  })

  it('leaves the zoom slider out of exports and keeps the zoomed window', () => {
    const zoomed = seriesOption({ series: [{ name: 'a', points: [[0, 1]] }], zoom: true }, theme)
    const o = exportOption(zoomed, theme, { text: 't' }, { start: 20, end: 60 }) as Record<
      string,
      any // eslint-disable-line @typescript-eslint/no-explicit-any
    >
    expect(o.dataZoom).toEqual([
      { type: 'inside', xAxisIndex: 0, filterMode: 'none', start: 20, end: 60 },
    ])
    expect(o.grid.bottom).toBe(44)
    // The slider's handles are interactive shapes: the export has none beyond a plain chart's.
    const handles = (opt: EChartsCoreOption) =>
      (optionToSvg(opt, theme, 400, 284).match(/cursor:pointer/g) ?? []).length
    const plain = seriesOption({ series: [{ name: 'a', points: [[0, 1]] }] }, theme)
    expect(handles(zoomed)).toBeGreaterThan(handles(plain))
    expect(handles(exportOption(zoomed, theme, undefined, { start: 0, end: 100 }))).toBe(
      handles(plain),
    )
  })
})
