import type { ColormapName } from '../components/charts/colormaps.ts'
import { colorStops } from '../components/charts/colormaps.ts'
import {
  type Domain,
  colorTicks,
  formatValue,
  tickPosition,
} from '../components/charts/heatmap-core.ts'

/** What a figure export needs from the theme: the page's colours, so exports match it. */
export interface FigureColors {
  readonly background: string
  readonly text: string
  readonly muted: string
  readonly border: string
  readonly font: string
}

export function canvasToBlob(canvas: HTMLCanvasElement, type = 'image/png'): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded'))),
      type,
    ),
  )
}

export function dataUrlToBlob(url: string): Blob {
  const [head, body] = url.split(',', 2)
  const mime = /data:([^;]+)/.exec(head)?.[1] ?? 'application/octet-stream'
  const binary = atob(body)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return new Blob([bytes], { type: mime })
}

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  )
}

export interface HeatmapFigureSpec {
  readonly rows: number
  readonly cols: number
  readonly title: string
  readonly subtitle?: string
  readonly xLabel: string
  readonly yLabel: string
  readonly domain: Domain
  readonly colormap: ColormapName
  readonly colors: FigureColors
}

/** Where everything of a heatmap figure goes, shared by the PNG and the SVG export. */
export interface HeatmapLayout {
  readonly width: number
  readonly height: number
  readonly plot: { x: number; y: number; w: number; h: number }
  readonly bar: { x: number; y: number; w: number; h: number }
}

/**
 * Integer pixels per cell (crisp at any zoom): a plot at least ~900 px wide and at most
 * ~700 px tall, with square cells unless that would make a wide matrix too small.
 */
export function heatmapLayout(rows: number, cols: number, hasSubtitle: boolean): HeatmapLayout {
  let sx = Math.max(1, Math.min(32, Math.ceil(900 / cols)))
  let sy = sx
  if (rows * sy > 700) {
    const fit = Math.max(1, Math.floor(700 / rows))
    sy = fit
    if (cols * fit >= 400) sx = fit
  }
  const w = cols * sx
  const h = rows * sy
  const left = 56
  const top = hasSubtitle ? 52 : 36
  const bar = { x: left + w + 24, y: top, w: 14, h: Math.max(h, 120) }
  return {
    width: bar.x + bar.w + 64,
    height: top + Math.max(h, bar.h) + 44,
    plot: { x: left, y: top, w, h },
    bar,
  }
}

/**
 * The figure as SVG: the cells as one embedded PNG (one pixel per cell, scaled without
 * smoothing) with vector title, axes, labels and colorbar, so it stays light for 100k
 * cells and sharp in a paper.
 */
export function heatmapSvg(spec: HeatmapFigureSpec, cellsPngDataUrl: string): string {
  const L = heatmapLayout(spec.rows, spec.cols, !!spec.subtitle)
  const c = spec.colors
  const { plot, bar } = L
  const text = (x: number, y: number, s: string, extra = '') =>
    `<text x="${x}" y="${y}" ${extra}>${escapeXml(s)}</text>`
  const stops = colorStops(spec.colormap, 16)
    .map((col, i) => `<stop offset="${(i / 15).toFixed(4)}" stop-color="${col}"/>`)
    .join('')
  const ticks = colorTicks(spec.domain)
    .map((v) => {
      const y = bar.y + bar.h * (1 - tickPosition(spec.domain, v))
      return (
        `<line x1="${bar.x + bar.w}" x2="${bar.x + bar.w + 4}" y1="${y}" y2="${y}" stroke="${c.muted}"/>` +
        text(bar.x + bar.w + 7, y + 4, formatValue(v), `fill="${c.muted}" font-size="11"`)
      )
    })
    .join('')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" font-family="${escapeXml(c.font)}">`,
    `<defs><linearGradient id="bar" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>`,
    `<rect width="100%" height="100%" fill="${c.background}"/>`,
    text(plot.x, 20, spec.title, `fill="${c.text}" font-size="14" font-weight="600"`),
    spec.subtitle ? text(plot.x, 38, spec.subtitle, `fill="${c.muted}" font-size="11"`) : '',
    `<image x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" preserveAspectRatio="none" style="image-rendering:pixelated;image-rendering:crisp-edges" href="${cellsPngDataUrl}" xlink:href="${cellsPngDataUrl}"/>`,
    `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="${c.border}"/>`,
    text(plot.x, plot.y + plot.h + 16, '0', `fill="${c.muted}" font-size="11"`),
    text(
      plot.x + plot.w,
      plot.y + plot.h + 16,
      String(spec.cols - 1),
      `fill="${c.muted}" font-size="11" text-anchor="end"`,
    ),
    text(
      plot.x + plot.w / 2,
      plot.y + plot.h + 32,
      spec.xLabel,
      `fill="${c.text}" font-size="12" text-anchor="middle"`,
    ),
    text(plot.x - 6, plot.y + 10, '0', `fill="${c.muted}" font-size="11" text-anchor="end"`),
    text(
      plot.x - 6,
      plot.y + plot.h,
      String(spec.rows - 1),
      `fill="${c.muted}" font-size="11" text-anchor="end"`,
    ),
    text(
      0,
      0,
      spec.yLabel,
      `fill="${c.text}" font-size="12" text-anchor="middle" transform="translate(${plot.x - 34} ${plot.y + plot.h / 2}) rotate(-90)"`,
    ),
    `<rect x="${bar.x}" y="${bar.y}" width="${bar.w}" height="${bar.h}" fill="url(#bar)" stroke="${c.border}"/>`,
    ticks,
    '</svg>',
  ].join('\n')
}

/** The same figure drawn on a canvas, for PNG export (2× for sharp text). */
export function heatmapFigureCanvas(
  spec: HeatmapFigureSpec,
  cells: CanvasImageSource,
): HTMLCanvasElement {
  const L = heatmapLayout(spec.rows, spec.cols, !!spec.subtitle)
  const scale = 2
  const canvas = document.createElement('canvas')
  canvas.width = L.width * scale
  canvas.height = L.height * scale
  const g = canvas.getContext('2d')!
  const c = spec.colors
  const { plot, bar } = L
  g.scale(scale, scale)
  g.fillStyle = c.background
  g.fillRect(0, 0, L.width, L.height)
  g.imageSmoothingEnabled = false
  g.drawImage(cells, plot.x, plot.y, plot.w, plot.h)
  g.strokeStyle = c.border
  g.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.w - 1, plot.h - 1)
  const font = (size: number, weight = '') => `${weight} ${size}px ${c.font}`.trim()
  g.fillStyle = c.text
  g.font = font(14, '600')
  g.fillText(spec.title, plot.x, 20)
  if (spec.subtitle) {
    g.fillStyle = c.muted
    g.font = font(11)
    g.fillText(spec.subtitle, plot.x, 38)
  }
  g.fillStyle = c.muted
  g.font = font(11)
  g.textAlign = 'left'
  g.fillText('0', plot.x, plot.y + plot.h + 16)
  g.textAlign = 'right'
  g.fillText(String(spec.cols - 1), plot.x + plot.w, plot.y + plot.h + 16)
  g.fillText('0', plot.x - 6, plot.y + 10)
  g.fillText(String(spec.rows - 1), plot.x - 6, plot.y + plot.h)
  g.fillStyle = c.text
  g.font = font(12)
  g.textAlign = 'center'
  g.fillText(spec.xLabel, plot.x + plot.w / 2, plot.y + plot.h + 32)
  g.save()
  g.translate(plot.x - 34, plot.y + plot.h / 2)
  g.rotate(-Math.PI / 2)
  g.fillText(spec.yLabel, 0, 0)
  g.restore()
  const grad = g.createLinearGradient(0, bar.y + bar.h, 0, bar.y)
  colorStops(spec.colormap, 16).forEach((col, i) => grad.addColorStop(i / 15, col))
  g.fillStyle = grad
  g.fillRect(bar.x, bar.y, bar.w, bar.h)
  g.strokeStyle = c.border
  g.strokeRect(bar.x + 0.5, bar.y + 0.5, bar.w - 1, bar.h - 1)
  g.fillStyle = c.muted
  g.font = font(11)
  g.textAlign = 'left'
  for (const v of colorTicks(spec.domain)) {
    const y = bar.y + bar.h * (1 - tickPosition(spec.domain, v))
    g.fillRect(bar.x + bar.w, y, 4, 1)
    g.fillText(formatValue(v), bar.x + bar.w + 7, y + 4)
  }
  return canvas
}
