import type { ChartTheme } from '../../composables/chart-theme.ts'
import type { EChartsCoreOption } from './echarts.ts'
import { formatValue } from './heatmap-core.ts'

/**
 * Charts over many runs (one mark per run): a scatter of one column against another and
 * parallel coordinates over several. Pure option builders, like options.ts.
 */

export interface RunMark {
  readonly id: number
  readonly name: string
  /** Series the mark belongs to (a group, or all runs). */
  readonly series: string
}

export interface ScatterPoint extends RunMark {
  readonly x: number
  readonly y: number
}

/** One point per run; one color per series (group); hovering names the run. */
export function scatterOption(
  points: readonly ScatterPoint[],
  theme: ChartTheme,
  axes: { x: string; y: string; xLog?: boolean; yLog?: boolean },
): EChartsCoreOption {
  const usable = points.filter(
    (p) =>
      Number.isFinite(p.x) &&
      Number.isFinite(p.y) &&
      (!axes.xLog || p.x > 0) &&
      (!axes.yLog || p.y > 0),
  )
  const series = [...new Set(usable.map((p) => p.series))]
  const axis = (name: string, log: boolean | undefined, gap: number) => ({
    type: log ? 'log' : 'value',
    name,
    nameLocation: 'middle',
    nameGap: gap,
    scale: true,
    axisLine: { onZero: false },
    axisLabel: { formatter: (v: number) => formatValue(v), hideOverlap: true },
  })
  return {
    animation: false,
    grid: { left: 64, right: 24, top: series.length > 1 ? 36 : 16, bottom: 48 },
    legend:
      series.length > 1
        ? { top: 0, type: 'scroll', itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } }
        : undefined,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { data?: { value: [number, number]; run: RunMark } }) =>
        p.data
          ? `#${p.data.run.id} ${escapeHtml(p.data.run.name)}<br>${escapeHtml(axes.x)} ${formatValue(p.data.value[0])}<br>${escapeHtml(axes.y)} ${formatValue(p.data.value[1])}`
          : '',
    },
    xAxis: axis(axes.x, axes.xLog, 28),
    yAxis: axis(axes.y, axes.yLog, 48),
    series: series.map((name, i) => ({
      type: 'scatter',
      name,
      symbolSize: 9,
      itemStyle: { color: theme.palette[i % theme.palette.length], opacity: 0.85 },
      emphasis: { focus: 'series' },
      data: usable
        .filter((p) => p.series === name)
        .map((p) => ({ value: [p.x, p.y], run: { id: p.id, name: p.name, series: p.series } })),
    })),
  }
}

export interface ParallelAxis {
  readonly name: string
  /** Numbers (a value axis) or text (a category axis over the values the runs have). */
  readonly numeric: boolean
  readonly log?: boolean
}

export interface ParallelLine extends RunMark {
  /** One value per axis; null where the run has none. */
  readonly values: readonly (number | string | null)[]
}

/** Parallel coordinates: one vertical axis per column, one polyline per run. */
export function parallelOption(
  axes: readonly ParallelAxis[],
  lines: readonly ParallelLine[],
  theme: ChartTheme,
): EChartsCoreOption {
  const series = [...new Set(lines.map((l) => l.series))]
  return {
    animation: false,
    legend:
      series.length > 1
        ? { top: 0, type: 'scroll', itemWidth: 16, itemHeight: 8, textStyle: { fontSize: 11 } }
        : undefined,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { data?: { run: RunMark } }) =>
        p.data ? `#${p.data.run.id} ${escapeHtml(p.data.run.name)}` : '',
    },
    parallel: {
      left: 40,
      right: 90,
      top: series.length > 1 ? 64 : 40,
      bottom: 28,
      parallelAxisDefault: {
        nameLocation: 'end',
        nameGap: 12,
        nameTextStyle: { fontSize: 11, color: theme.text },
        axisLabel: { fontSize: 10, color: theme.muted },
        axisLine: { lineStyle: { color: theme.muted } },
      },
    },
    parallelAxis: axes.map((a, dim) => {
      if (a.numeric) {
        return {
          dim,
          name: a.name,
          type: a.log ? 'log' : 'value',
          scale: true,
          axisLabel: { formatter: (v: number) => formatValue(v) },
        }
      }
      const values = [...new Set(lines.map((l) => l.values[dim]).filter((v) => v !== null))]
      return {
        dim,
        name: a.name,
        type: 'category',
        data: values.map(String),
        // Long values ("file /path/to/model.safetensors") would run over the next axis.
        axisLabel: { formatter: (v: string) => (v.length > 14 ? `${v.slice(0, 13)}…` : v) },
      }
    }),
    series: series.map((name, i) => ({
      type: 'parallel',
      name,
      smooth: false,
      lineStyle: { width: 1.6, opacity: 0.75, color: theme.palette[i % theme.palette.length] },
      emphasis: { lineStyle: { width: 3, opacity: 1 } },
      data: lines
        .filter((l) => l.series === name)
        .map((l) => ({
          value: l.values.map((v) => (v === null ? '-' : v)),
          run: { id: l.id, name: l.name, series: l.series },
        })),
    })),
  }
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}
