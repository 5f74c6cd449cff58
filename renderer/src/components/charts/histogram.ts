import type { AbsJacobianHistogram } from '../../../../core/api/summary.ts'
import type { ChartTheme } from '../../composables/chart-theme.ts'
import type { EChartsCoreOption } from './echarts.ts'
import { formatValue } from './heatmap-core.ts'
import { type LineSeries, type Point, seriesOption } from './options.ts'

/**
 * The |J| histogram as a figure that hides nothing: exact zeros in a bin of their own (a
 * basis that loses the zeros of dead ReLU rows must show it), the entries below the first
 * decade in another, then equal bins of log10 |J|, ticks in |J| units, and the near-zero
 * threshold as a line. Shares of all entries on y, so layers and runs of different sizes
 * compare.
 */

export interface HistogramEntry {
  readonly name: string
  readonly histogram: AbsJacobianHistogram
  readonly color?: string
}

export interface HistogramShares {
  readonly total: number
  /** Share of exact zeros; null for summaries that did not count them apart (then in `below`). */
  readonly zeros: number | null
  /** Share of entries under 10^log10Min (and the exact zeros, where `zeros` is null). */
  readonly below: number
  /** One per bin: its log10 edges and share. */
  readonly bins: readonly { readonly lo: number; readonly hi: number; readonly share: number }[]
}

export function histogramShares(h: AbsJacobianHistogram): HistogramShares {
  const zeros = h.zeros ?? 0
  const total = zeros + h.below + h.counts.reduce((a, b) => a + b, 0)
  const share = (n: number) => (total > 0 ? n / total : 0)
  const w = (h.log10Max - h.log10Min) / h.counts.length
  return {
    total,
    zeros: h.zeros === undefined ? null : share(zeros),
    below: share(h.below),
    bins: h.counts.map((c, b) => ({
      lo: h.log10Min + b * w,
      hi: h.log10Min + (b + 1) * w,
      share: share(c),
    })),
  }
}

/** "1e-3" style labels for whole decades, the value itself between them. */
export function powerOfTen(log10: number): string {
  const r = Math.round(log10)
  return Math.abs(log10 - r) < 1e-9 ? `1e${r}` : formatValue(10 ** log10)
}

/** Where the zero and below-range bins stand on the log10 axis: left of the first decade. */
export function specialBins(log10Min: number): {
  zero: readonly [number, number]
  below: readonly [number, number]
} {
  return { zero: [log10Min - 3, log10Min - 2], below: [log10Min - 1.5, log10Min - 0.5] }
}

/** A bar as a closed step outline: up at `lo`, across, down at `hi`. */
function bar(lo: number, hi: number, y: number, floor: number): Point[] {
  return [[lo, floor], ...top(lo, hi, y), [hi, floor]]
}

/** A bin's top; the centre point draws nothing but lets the axis tooltip land inside the bin. */
function top(lo: number, hi: number, y: number): Point[] {
  return [
    [lo, y],
    [(lo + hi) / 2, y],
    [hi, y],
  ]
}

/** The largest |J| the histogram saw: the upper edge of its highest non-empty bin (log10). */
export function topEdge(h: AbsJacobianHistogram): number | null {
  const w = (h.log10Max - h.log10Min) / h.counts.length
  for (let b = h.counts.length - 1; b >= 0; b--) {
    if (h.counts[b] > 0) return h.log10Min + (b + 1) * w
  }
  return null
}

export interface HistogramOptions {
  readonly yLog?: boolean
  /** evaluation.nearZeroThreshold: an entry counts as near zero below this share of its input's max |J|. */
  readonly nearZeroThreshold?: number
}

export function histogramOption(
  entries: readonly HistogramEntry[],
  theme: ChartTheme,
  options: HistogramOptions = {},
): EChartsCoreOption {
  const first = entries[0]?.histogram
  if (!first) return seriesOption({ series: [] }, theme)
  const counted = entries.every((e) => e.histogram.zeros !== undefined)
  const shares = entries.map((e) => histogramShares(e.histogram))
  const positive = shares.flatMap((s) =>
    [s.zeros ?? 0, s.below, ...s.bins.map((b) => b.share)].filter((v) => v > 0),
  )
  // A log y axis cannot go to 0: the bars stand on a floor below the smallest share.
  const floor = options.yLog ? Math.min(...positive, 1) / 3 : 0
  const at = specialBins(first.log10Min)
  const series: LineSeries[] = entries.flatMap((e, i) => {
    const s = shares[i]
    const main: Point[] = s.bins.flatMap((b, j) => [
      ...(j === 0 ? [[b.lo, floor] as const] : []),
      ...top(b.lo, b.hi, Math.max(b.share, floor)),
      ...(j === s.bins.length - 1 ? [[b.hi, floor] as const] : []),
    ])
    const parts: Point[][] = [main, bar(...at.below, Math.max(s.below, floor), floor)]
    if (counted) parts.push(bar(...at.zero, Math.max(s.zeros ?? 0, floor), floor))
    // One name for the parts of an entry: the legend shows and hides them together.
    return parts.map((points) => ({ name: e.name, points, color: e.color, area: true, width: 1.4 }))
  })
  const option = seriesOption(
    {
      series,
      xLabel: '|J| (log scale)',
      yLabel: 'share of entries',
      yLog: options.yLog,
      yMin: options.yLog ? floor : 0,
      yFormat: (v) => (v >= 0.001 || v === 0 ? `${(100 * v).toFixed(1)}%` : v.toExponential(0)),
    },
    theme,
  )
  const centre = (r: readonly [number, number]) => (r[0] + r[1]) / 2
  const belowLabel = counted ? `<1e${first.log10Min}` : `0 or <1e${first.log10Min}`
  const decades: number[] = []
  for (let d = Math.ceil(first.log10Min); d <= first.log10Max; d++) decades.push(d)
  const ticks = [...(counted ? [centre(at.zero)] : []), centre(at.below), ...decades]
  const label = (v: number): string => {
    if (counted && Math.abs(v - centre(at.zero)) < 1e-9) return '0'
    if (Math.abs(v - centre(at.below)) < 1e-9) return belowLabel
    return powerOfTen(v)
  }
  Object.assign(option.xAxis as object, {
    scale: false,
    min: (counted ? at.zero[0] : at.below[0]) - 0.5,
    max: first.log10Max,
    axisLabel: { formatter: label, customValues: ticks, hideOverlap: true },
    axisTick: { customValues: ticks },
  })
  Object.assign(option.tooltip as object, {
    formatter: (params: { axisValue?: number }[]) =>
      tooltip(Number(params[0]?.axisValue), entries, shares, first, counted, belowLabel),
  })
  const largest = Math.max(...entries.map((e) => topEdge(e.histogram) ?? -Infinity))
  const threshold = options.nearZeroThreshold
  const list = option.series as Record<string, unknown>[]
  if (threshold && Number.isFinite(largest) && list[0]) {
    list[0].markLine = {
      silent: true,
      symbol: 'none',
      data: [
        {
          xAxis: largest + Math.log10(threshold),
          lineStyle: { color: theme.warn, type: 'dashed', width: 1.2 },
          label: {
            formatter: `${+(100 * threshold).toPrecision(3)}% of max |J|`,
            position: 'insideEndTop',
            color: theme.warn,
            fontSize: 11,
          },
        },
      ],
    }
  }
  return option
}

/** The bin under the pointer, in |J| units, with each entry's share of it. */
function tooltip(
  x: number,
  entries: readonly HistogramEntry[],
  shares: readonly HistogramShares[],
  h: AbsJacobianHistogram,
  counted: boolean,
  belowLabel: string,
): string {
  const at = specialBins(h.log10Min)
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`
  let title: string
  let pick: (s: HistogramShares) => number
  if (counted && x <= at.zero[1] + 0.25) {
    title = '|J| = 0 exactly'
    pick = (s) => s.zeros ?? 0
  } else if (x < h.log10Min) {
    title = `|J| ${belowLabel}`
    pick = (s) => s.below
  } else {
    const b = Math.min(
      h.counts.length - 1,
      Math.floor(((x - h.log10Min) / (h.log10Max - h.log10Min)) * h.counts.length),
    )
    const bin = shares[0].bins[b]
    title = `|J| ${formatValue(10 ** bin.lo)} – ${formatValue(10 ** bin.hi)}`
    pick = (s) => s.bins[b]?.share ?? 0
  }
  return [`<b>${title}</b>`, ...entries.map((e, i) => `${e.name}: ${pct(pick(shares[i]))}`)].join(
    '<br>',
  )
}
