import type { ChartTheme } from '../../composables/chart-theme.ts'

/** A chart theme for option tests: plain colors a test can name. */
export function testTheme(patch: Partial<ChartTheme> = {}): ChartTheme {
  return {
    dark: false,
    text: '#111',
    muted: '#666',
    border: '#ccc',
    surface: '#fff',
    surface2: '#eee',
    accent: '#00f',
    ok: '#0a0',
    danger: '#a00',
    warn: '#a60',
    font: 'sans-serif',
    palette: ['#1', '#2', '#3', '#4', '#5', '#6'],
    ...patch,
  }
}

/** ECharts options are deep untyped objects; tests read them as such. */
export type AnyOption = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
