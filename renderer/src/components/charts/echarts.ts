import { BarChart, GraphChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import { type ChartTheme, echartsTheme } from '../../composables/chart-theme.ts'
import { ZOOM_SLIDER_SPACE } from './options.ts'

/**
 * ECharts with only what Basiscope draws (line, bar, scatter, graph, parallel coordinates;
 * grid, tooltip, legend, zoom, mark lines, titles), to keep the bundle lean. Canvas on screen; the SVG
 * renderer only for SVG export.
 */
echarts.use([
  LineChart,
  BarChart,
  ScatterChart,
  GraphChart,
  ParallelChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  CanvasRenderer,
  SVGRenderer,
])

export type { EChartsCoreOption, EChartsType } from 'echarts/core'
export { echarts }

/** Registers (or refreshes) the ECharts theme for a chart theme; returns its name. */
export function registerTheme(theme: ChartTheme): string {
  const name = theme.dark ? 'basiscope-dark' : 'basiscope-light'
  echarts.registerTheme(name, echartsTheme(theme))
  return name
}

/** Space an exported figure's title takes above the chart. */
const TITLE_SPACE = 44

/** The zoom window a chart shows, in percent of the x range. */
export interface ZoomWindow {
  readonly start: number
  readonly end: number
}

/**
 * No zoom slider in a figure for a paper: the slider goes and its room with it, and the
 * window it showed is kept (an inside zoom has no drawing of its own).
 */
function withoutZoomSlider(
  option: echarts.EChartsCoreOption,
  zoom?: ZoomWindow,
): echarts.EChartsCoreOption {
  const raw = option.dataZoom
  const zooms = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Record<string, unknown>[]
  if (!zooms.length) return option
  const grid = option.grid as { bottom?: unknown } | undefined
  const hadSlider = zooms.some((z) => z.type === 'slider')
  return {
    ...option,
    grid:
      hadSlider && grid && typeof grid.bottom === 'number'
        ? { ...grid, bottom: grid.bottom - ZOOM_SLIDER_SPACE }
        : option.grid,
    dataZoom: zooms.filter((z) => z.type !== 'slider').map((z) => ({ ...z, ...zoom })),
  }
}

/**
 * A chart option for export: the figure's title and subtitle on top (the page shows them
 * in HTML around the chart), everything else moved down to make room, no animation, no
 * zoom slider (the zoomed window is what is exported).
 */
export function exportOption(
  screen: echarts.EChartsCoreOption,
  theme: ChartTheme,
  title?: { text: string; subtext?: string },
  zoom?: ZoomWindow,
): echarts.EChartsCoreOption {
  const option = withoutZoomSlider(screen, zoom)
  if (!title) return { ...option, animation: false, backgroundColor: theme.surface }
  const shift = (box: unknown) =>
    box && typeof box === 'object' && typeof (box as { top?: unknown }).top === 'number'
      ? { ...box, top: (box as { top: number }).top + TITLE_SPACE }
      : box
  return {
    ...option,
    animation: false,
    backgroundColor: theme.surface,
    title: {
      text: title.text,
      subtext: title.subtext,
      left: 8,
      top: 6,
      textStyle: { fontSize: 14, fontWeight: 600, color: theme.text },
      subtextStyle: { fontSize: 11, color: theme.muted },
    },
    grid: shift(option.grid),
    legend: shift(option.legend),
    series: Array.isArray(option.series)
      ? option.series.map((s) => (s && (s as { type?: string }).type === 'graph' ? shift(s) : s))
      : option.series,
  }
}

/** Height an exported chart needs: the on-screen height plus room for the title. */
export function exportHeight(height: number, titled: boolean): number {
  return height + (titled ? TITLE_SPACE : 0)
}

/**
 * The option rendered once by the SVG renderer, off screen: vector output for papers.
 * Animation is off so the string holds the final frame.
 */
export function optionToSvg(
  option: echarts.EChartsCoreOption,
  theme: ChartTheme,
  width: number,
  height: number,
): string {
  const chart = echarts.init(null, registerTheme(theme), {
    renderer: 'svg',
    ssr: true,
    width,
    height,
  })
  try {
    chart.setOption(option)
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

/** The option rendered once on a detached canvas at 2×, as a PNG data URL. */
export function optionToPngUrl(
  option: echarts.EChartsCoreOption,
  theme: ChartTheme,
  width: number,
  height: number,
): string {
  const el = document.createElement('div')
  const chart = echarts.init(el, registerTheme(theme), {
    renderer: 'canvas',
    width,
    height,
    devicePixelRatio: 2,
  })
  try {
    chart.setOption(option)
    return chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: theme.surface })
  } finally {
    chart.dispose()
  }
}
