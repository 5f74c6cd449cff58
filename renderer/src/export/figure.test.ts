import { describe, expect, it } from 'vitest'
import { escapeXml, heatmapLayout, heatmapSvg } from './figure.ts'

const colors = {
  background: '#fff',
  text: '#111',
  muted: '#666',
  border: '#ccc',
  font: 'Inter, "A&B"',
}

describe('heatmap figures', () => {
  it('uses integer pixels per cell: 2 for 784 columns, square cells for square matrices', () => {
    const wide = heatmapLayout(128, 784, false)
    expect(wide.plot.w).toBe(784 * 2)
    expect(wide.plot.h).toBe(128 * 2)
    const square = heatmapLayout(128, 128, true)
    expect(square.plot.w).toBe(square.plot.h)
    expect(square.plot.h).toBeLessThanOrEqual(700)
    expect(Number.isInteger(square.plot.w / 128)).toBe(true)
    const tiny = heatmapLayout(10, 32, false)
    expect(tiny.plot.w / 32).toBe(29)
    expect(wide.width).toBeGreaterThan(wide.bar.x + wide.bar.w)
  })

  it('embeds the cells as one pixelated image with vector labels and a colour bar', () => {
    const svg = heatmapSvg(
      {
        rows: 2,
        cols: 3,
        title: 'Layer 1 <before>',
        subtitle: 'max 1',
        xLabel: 'pixel',
        yLabel: 'h1 neuron',
        domain: { min: 1e-3, max: 1, scale: 'log' },
        colormap: 'viridis',
        colors,
      },
      'data:image/png;base64,AAAA',
    )
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg).toContain('href="data:image/png;base64,AAAA"')
    expect(svg).toContain('image-rendering:pixelated')
    expect(svg).toContain('Layer 1 &lt;before&gt;')
    expect(svg).toContain('font-family="Inter, &quot;A&amp;B&quot;"')
    // Log ticks 1e-3 … 1: four labels on the bar.
    for (const t of ['0.001', '0.01', '0.1', '>1<']) expect(svg).toContain(t)
    expect(svg.match(/<stop /g)).toHaveLength(16)
    expect(escapeXml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&apos;')
  })
})
