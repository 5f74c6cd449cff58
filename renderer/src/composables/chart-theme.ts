import { type Ref, nextTick, ref, watch } from 'vue'
import { useAppStore } from '../stores/app.ts'

/**
 * Chart colours follow the app theme: they are read from the CSS variables of
 * styles/theme.css (one source of truth for light and dark), and re-read when the theme
 * changes. ECharts and canvas drawing get plain colour strings from here.
 */
export interface ChartTheme {
  readonly dark: boolean
  readonly text: string
  readonly muted: string
  readonly border: string
  readonly surface: string
  readonly surface2: string
  readonly accent: string
  readonly ok: string
  readonly danger: string
  readonly warn: string
  readonly font: string
  /** Series colours, distinguishable in both themes. */
  readonly palette: readonly string[]
}

const LIGHT_PALETTE = [
  '#2563eb',
  '#dc2626',
  '#059669',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
]
const DARK_PALETTE = [
  '#6b9bff',
  '#f87171',
  '#34d399',
  '#fbbf24',
  '#a78bfa',
  '#22d3ee',
  '#f472b6',
  '#a3e635',
]

const FALLBACK: Record<string, string> = {
  '--text': '#1c2430',
  '--text-muted': '#5b6675',
  '--border': '#d9dde3',
  '--surface': '#ffffff',
  '--surface-2': '#f0f2f5',
  '--accent': '#2563eb',
  '--ok': '#1b7f3b',
  '--danger': '#c62828',
  '--warn': '#a15c00',
  '--font': 'system-ui, sans-serif',
}

/** The current theme's chart colours, from the CSS variables on `root`. */
export function readChartTheme(
  root: Element | null = globalThis.document?.documentElement,
): ChartTheme {
  const style = root ? getComputedStyle(root) : null
  const v = (name: string): string => style?.getPropertyValue(name).trim() || FALLBACK[name]
  const dark = root?.getAttribute('data-theme') === 'dark'
  return {
    dark,
    text: v('--text'),
    muted: v('--text-muted'),
    border: v('--border'),
    surface: v('--surface'),
    surface2: v('--surface-2'),
    accent: v('--accent'),
    ok: v('--ok'),
    danger: v('--danger'),
    warn: v('--warn'),
    // Single quotes only: ECharts' SVG output puts the font into a double-quoted attribute.
    font: v('--font').replace(/"/g, "'"),
    palette: dark ? DARK_PALETTE : LIGHT_PALETTE,
  }
}

/** Stable colours for the bases a run compares, so a basis looks the same in every figure. */
export function basisColor(theme: ChartTheme, basis: string): string {
  const p = theme.palette
  switch (basis) {
    case 'learned':
      return p[0]
    case 'neuron':
      return theme.muted
    case 'random':
      return p[3]
    case 'pca':
      return p[2]
    case 'jtj':
      return p[4]
    case 'lib':
      return p[1]
    default:
      return p[5]
  }
}

/** The ECharts theme object for a chart theme (registered under themeName(theme)). */
export function echartsTheme(t: ChartTheme): Record<string, unknown> {
  const axis = {
    axisLine: { lineStyle: { color: t.border } },
    axisTick: { lineStyle: { color: t.border } },
    axisLabel: { color: t.muted },
    splitLine: { lineStyle: { color: t.dark ? '#2a3340' : '#eceff3' } },
    nameTextStyle: { color: t.muted },
  }
  return {
    color: [...t.palette],
    backgroundColor: 'transparent',
    textStyle: { color: t.text, fontFamily: t.font },
    title: { textStyle: { color: t.text }, subtextStyle: { color: t.muted } },
    legend: { textStyle: { color: t.text }, inactiveColor: t.border },
    tooltip: {
      backgroundColor: t.surface,
      borderColor: t.border,
      textStyle: { color: t.text },
    },
    valueAxis: axis,
    logAxis: axis,
    categoryAxis: axis,
    timeAxis: axis,
    graph: { color: [...t.palette] },
  }
}

/** The chart theme as reactive state: re-read after the app's theme attribute changes. */
export function useChartTheme(): Ref<ChartTheme> {
  const app = useAppStore()
  const theme = ref<ChartTheme>(readChartTheme())
  watch(
    () => app.theme,
    async () => {
      // The store sets data-theme synchronously; styles apply by the next tick.
      await nextTick()
      theme.value = readChartTheme()
    },
  )
  return theme
}
