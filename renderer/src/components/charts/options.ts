import type { CircuitGraphSummary } from '../../../../core/api/summary.ts'
import type { ChartTheme } from '../../composables/chart-theme.ts'
import type { EChartsCoreOption } from './echarts.ts'
import { formatValue } from './heatmap-core.ts'

/**
 * ECharts options built from plain data, as pure functions: the chart components are thin,
 * these are unit-tested, and another view (Compare) builds the same figures from its own
 * runs.
 */

export type Point = readonly [number, number]

export interface LineSeries {
  readonly name: string
  readonly points: readonly Point[]
  readonly color?: string
  readonly dashed?: boolean
  /** Draw as a step function (histograms, per-epoch values). */
  readonly step?: boolean
  readonly area?: boolean
  /** Show point markers (few points, e.g. per-epoch or per-N curves). */
  readonly symbols?: boolean
  /** The marker's shape and size when `symbols` (default: a circle of 5 px). */
  readonly symbol?: 'circle' | 'diamond' | 'triangle' | 'rect'
  readonly symbolSize?: number
  readonly width?: number
  /** Line opacity (a raw curve drawn faint under its smoothed version). */
  readonly opacity?: number
  /** Listed in the legend (default); false for a curve drawn only as context for another. */
  readonly legend?: boolean
}

export interface SeriesChartSpec {
  readonly series: readonly LineSeries[]
  readonly xLabel?: string
  readonly yLabel?: string
  readonly xLog?: boolean
  readonly yLog?: boolean
  readonly yMin?: number
  readonly yMax?: number
  readonly xFormat?: (v: number) => string
  readonly yFormat?: (v: number) => string
  /** Horizontal reference lines (e.g. the neuron basis, full accuracy). */
  readonly markLines?: readonly { y: number; label: string; color?: string }[]
  /** Drag-to-zoom on x (long optimizer traces). */
  readonly zoom?: boolean
  /** x counts whole things (steps, epochs): ticks on integers only. */
  readonly xInteger?: boolean
}

const GRID = { left: 56, right: 24, top: 36, bottom: 44, containLabel: false }
/** Room the zoom slider takes under the plot (on screen only; exports leave it out). */
export const ZOOM_SLIDER_SPACE = 20

/** Drops points a log axis cannot show (≤ 0 or non-finite). */
function plottable(points: readonly Point[], xLog: boolean, yLog: boolean): Point[] {
  return points.filter(
    ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0) && (!yLog || y > 0),
  )
}

/** m·10^k for the given mantissas m, inside [min, max]. */
function logCandidates(min: number, max: number, mantissas: readonly number[]): number[] {
  const out: number[] = []
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** k).toPrecision(12))
      if (v >= min && v <= max) out.push(v)
    }
  }
  return out
}

/** About `count` round ticks (1, 2 or 5 × 10^k apart) inside [min, max]. */
function linearTicks(min: number, max: number, count: number): number[] {
  const raw = (max - min) / count
  const p = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max; v += step) {
    out.push(Number(v.toPrecision(12)))
  }
  return out
}

/**
 * A log axis fitted to the data rather than to whole decades (an objective that falls from
 * 5200 to 3100 would otherwise be a flat line between 1e3 and 1e4), with ticks at decades,
 * at 1-2-5 steps, or at round linear steps for a range narrower than that.
 */
export function logAxisRange(
  values: readonly number[],
): { min: number; max: number; ticks: number[] } | null {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
    }
  }
  if (lo > hi) return null
  if (lo === hi) [lo, hi] = [lo / 2, hi * 2]
  const pad = 0.05 * Math.log10(hi / lo)
  const min = 10 ** (Math.log10(lo) - pad)
  const max = 10 ** (Math.log10(hi) + pad)
  for (const mantissas of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks = logCandidates(min, max, mantissas)
    if (ticks.length >= 3) return { min, max, ticks }
  }
  return { min, max, ticks: linearTicks(min, max, 4) }
}

/**
 * Tick labels with as many significant digits as the data's spread needs: a loss between
 * 2.224 and 2.236 reads 2.224, 2.226, … rather than five labels "2.23".
 */
export function spreadFormat(values: readonly number[]): (v: number) => string {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
    }
  }
  const span = hi - lo
  const size = Math.max(Math.abs(lo), Math.abs(hi))
  if (!(span > 0) || !(size > 0)) return formatValue
  const digits = Math.min(8, Math.max(3, Math.ceil(Math.log10(size / span)) + 2))
  if (digits === 3) return formatValue
  return (v) => {
    if (v === 0) return '0'
    const a = Math.abs(v)
    return a >= 1e4 || a < 1e-3
      ? v.toExponential(digits - 1)
      : Number(v.toPrecision(digits)).toString()
  }
}

export function seriesOption(spec: SeriesChartSpec, theme: ChartTheme): EChartsCoreOption {
  const xLog = !!spec.xLog
  const yLog = !!spec.yLog
  const yRange =
    yLog && spec.yMin === undefined
      ? logAxisRange(spec.series.flatMap((s) => s.points.map((p) => p[1])))
      : null
  const xFormat = spec.xFormat ?? formatValue
  const yFormat =
    spec.yFormat ??
    (yLog ? formatValue : spreadFormat(spec.series.flatMap((s) => s.points.map((p) => p[1]))))
  const listed = [...new Set(spec.series.filter((s) => s.legend !== false).map((s) => s.name))]
  const many = listed.length > 1
  return {
    animation: false,
    grid: {
      ...GRID,
      top: many ? 36 : 16,
      bottom: GRID.bottom + (spec.zoom ? ZOOM_SLIDER_SPACE : 0),
    },
    legend: many
      ? {
          top: 0,
          type: 'scroll',
          data: listed,
          itemWidth: 16,
          itemHeight: 8,
          textStyle: { fontSize: 11 },
        }
      : undefined,
    tooltip: {
      trigger: 'axis',
      confine: true,
      valueFormatter: (v: unknown) => (typeof v === 'number' ? yFormat(v) : String(v)),
      axisPointer: { type: 'line', lineStyle: { color: theme.muted } },
    },
    xAxis: {
      type: xLog ? 'log' : 'value',
      name: spec.xLabel,
      nameLocation: 'middle',
      nameGap: 26,
      scale: !xLog,
      // Axes stay at the plot's edges, not at the other axis' zero (log10 |J| is negative).
      axisLine: { onZero: false },
      axisLabel: { formatter: (v: number) => xFormat(v), hideOverlap: true },
      splitLine: { show: false },
      minInterval: spec.xInteger ? 1 : undefined,
    },
    yAxis: {
      type: yLog ? 'log' : 'value',
      name: spec.yLabel,
      nameLocation: 'middle',
      nameGap: 44,
      scale: !yLog && spec.yMin === undefined,
      min: spec.yMin ?? yRange?.min,
      max: spec.yMax ?? yRange?.max,
      axisLine: { onZero: false },
      axisLabel: {
        formatter: (v: number) => yFormat(v),
        hideOverlap: true,
        customValues: yRange?.ticks,
      },
      axisTick: yRange ? { customValues: yRange.ticks } : undefined,
    },
    dataZoom: spec.zoom
      ? [
          { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
          { type: 'slider', xAxisIndex: 0, height: 16, bottom: 8, filterMode: 'none' },
        ]
      : undefined,
    series: spec.series.map((s, i) => ({
      type: 'line',
      name: s.name,
      data: plottable(s.points, xLog, yLog),
      showSymbol: !!s.symbols,
      symbol: s.symbol ?? 'emptyCircle',
      symbolSize: s.symbolSize ?? 5,
      step: s.step ? 'middle' : false,
      sampling: s.points.length > 2000 ? 'lttb' : undefined,
      lineStyle: {
        width: s.width ?? 1.6,
        type: s.dashed ? 'dashed' : 'solid',
        color: s.color,
        opacity: s.opacity,
      },
      itemStyle: s.color ? { color: s.color } : undefined,
      areaStyle: s.area ? { opacity: 0.18, color: s.color } : undefined,
      emphasis: { focus: 'series' },
      markLine:
        i === 0 && spec.markLines?.length
          ? {
              silent: true,
              symbol: 'none',
              data: spec.markLines.map((m, j) => ({
                yAxis: m.y,
                name: m.label,
                lineStyle: { color: m.color ?? theme.muted, type: 'dashed', width: 1 },
                label: {
                  formatter: m.label,
                  // Alternate ends so labels of nearby lines do not overprint.
                  position: j % 2 ? 'insideStartTop' : 'insideEndTop',
                  color: m.color ?? theme.muted,
                  fontSize: 11,
                },
              })),
            }
          : undefined,
    })),
  }
}

export interface BarGroup {
  readonly name: string
  readonly values: readonly (number | null)[]
  readonly color?: string
}

/** Grouped bars: one group of bars per category (e.g. per layer, one bar per basis). */
export function barOption(
  categories: readonly string[],
  groups: readonly BarGroup[],
  theme: ChartTheme,
  options: { yLabel?: string; yMin?: number; yMax?: number; yFormat?: (v: number) => string } = {},
): EChartsCoreOption {
  const yFormat = options.yFormat ?? formatValue
  return {
    animation: false,
    grid: { ...GRID, top: 36 },
    legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      valueFormatter: (v: unknown) => (typeof v === 'number' ? yFormat(v) : '—'),
    },
    xAxis: { type: 'category', data: [...categories], axisTick: { alignWithLabel: true } },
    yAxis: {
      type: 'value',
      name: options.yLabel,
      nameLocation: 'middle',
      nameGap: 44,
      min: options.yMin,
      max: options.yMax,
      axisLabel: { formatter: (v: number) => yFormat(v) },
    },
    series: groups.map((g) => ({
      type: 'bar',
      name: g.name,
      data: [...g.values],
      itemStyle: { color: g.color, borderRadius: [2, 2, 0, 0] },
      barMaxWidth: 28,
      emphasis: { focus: 'series' },
    })),
    color: [...theme.palette],
  }
}

/**
 * The circuit graph: one column per activation space, nodes ordered by index within it,
 * edges as lines whose width and opacity grow with the connection's mean |J|.
 */
export function circuitOption(
  graph: CircuitGraphSummary,
  theme: ChartTheme,
  spaceName: (space: number) => string = (s) => `space ${s}`,
): EChartsCoreOption {
  const spaces = [...new Set(graph.nodes.map((n) => n.space))].sort((a, b) => a - b)
  const column = new Map(spaces.map((s, i) => [s, i]))
  const bySpace = new Map<number, number[]>()
  for (const n of graph.nodes) {
    const list = bySpace.get(n.space) ?? []
    list.push(n.index)
    bySpace.set(n.space, list)
  }
  for (const list of bySpace.values()) list.sort((a, b) => a - b)
  const tallest = Math.max(1, ...[...bySpace.values()].map((l) => l.length))
  const maxWeight = Math.max(1e-30, ...graph.edges.map((e) => e.weight))
  const degree = new Map<string, number>()
  for (const e of graph.edges) {
    degree.set(e.from, (degree.get(e.from) ?? 0) + e.weight)
    degree.set(e.to, (degree.get(e.to) ?? 0) + e.weight)
  }
  const maxDegree = Math.max(1e-30, ...degree.values())
  const nodes = graph.nodes.map((n) => {
    const list = bySpace.get(n.space)!
    const rank = list.indexOf(n.index)
    // Centre short columns vertically against the tallest one.
    const y = ((rank + 0.5) / list.length) * tallest
    const color = theme.palette[column.get(n.space)! % theme.palette.length]
    return {
      id: n.id,
      name: `${spaceName(n.space)} · ${n.index}`,
      x: column.get(n.space)! * 100,
      y: y * (100 / Math.max(8, tallest / 4)),
      symbolSize: 5 + 9 * Math.sqrt((degree.get(n.id) ?? 0) / maxDegree),
      itemStyle: { color, borderColor: theme.surface, borderWidth: 1 },
      label: { show: list.length <= 24, position: n.space === spaces[0] ? 'left' : 'right' },
      value: n.index,
    }
  })
  const edges = graph.edges.map((e) => {
    const w = e.weight / maxWeight
    return {
      source: e.from,
      target: e.to,
      value: e.weight,
      lineStyle: { width: 0.5 + 3.5 * w, opacity: 0.15 + 0.7 * w, color: theme.accent },
    }
  })
  // Column titles as label-only nodes above each column (no graphic component needed).
  const headers = spaces.map((s) => ({
    id: `header:${s}`,
    name: spaceName(s),
    x: column.get(s)! * 100,
    y: -0.9 * (100 / Math.max(8, tallest / 4)),
    symbolSize: 0,
    tooltip: { show: false },
    label: { show: true, position: 'inside', fontWeight: 'bold', color: theme.text, fontSize: 11 },
  }))
  return {
    animation: false,
    tooltip: {
      confine: true,
      formatter: (p: { dataType?: string; name?: string; data?: { value?: number } }) =>
        p.dataType === 'edge' ? `mean |J| ${formatValue(p.data?.value ?? NaN)}` : `${p.name ?? ''}`,
    },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        data: [...headers, ...nodes],
        links: edges,
        label: { fontSize: 10, color: theme.muted },
        emphasis: { focus: 'adjacency', lineStyle: { opacity: 1 } },
        edgeSymbol: ['none', 'none'],
        left: 60,
        right: 60,
        top: 24,
        bottom: 24,
      },
    ],
  }
}
