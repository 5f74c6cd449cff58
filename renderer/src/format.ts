/**
 * How the renderer writes numbers, times and sizes: compact, tabular, never "NaN" (a
 * missing or non-finite value is "—"). The one formatter of the app: tables, figures and
 * headers read alike.
 */

const DASH = '—'

function finite(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v)
}

/** Fixed digits, or exponent notation for tiny and huge values (2.0e-5, 1.2e+5). */
export function num(v: number | null | undefined, digits = 3): string {
  if (!finite(v)) return DASH
  const a = Math.abs(v)
  if (v !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(Math.max(1, digits - 2))
  return v.toFixed(digits)
}

/** Significant digits, for measures spanning many magnitudes (objective values). */
export function sig(v: number | null | undefined, digits = 4): string {
  if (!finite(v)) return DASH
  const a = Math.abs(v)
  if (v !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1)
  return Number(v.toPrecision(digits)).toString()
}

export function pct(v: number | null | undefined, digits = 1): string {
  if (!finite(v)) return DASH
  return `${(100 * v).toFixed(digits)}%`
}

/** after / before, or null when it has no meaning (before is 0 or missing). */
export function ratio(
  before: number | null | undefined,
  after: number | null | undefined,
): number | null {
  if (!finite(before) || !finite(after) || before === 0) return null
  return after / before
}

export function ratioText(r: number | null): string {
  return r === null ? DASH : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`
}

/**
 * A value against a reference: "+0.012" / "−3.1e-4" (difference) or "1.05×" (ratio);
 * null when either is missing or the ratio has no meaning (a zero reference).
 */
export function relativeText(
  value: number | null | undefined,
  reference: number | null | undefined,
  mode: 'delta' | 'ratio',
): string | null {
  if (!finite(value) || !finite(reference)) return null
  if (mode === 'ratio') {
    if (reference === 0) return null
    const r = value / reference
    return `${Math.abs(r) >= 100 ? r.toExponential(1) : r.toPrecision(3)}×`
  }
  const d = value - reference
  if (d === 0) return '±0'
  const sign = d > 0 ? '+' : '−'
  const a = Math.abs(d)
  return sign + (a < 1e-3 || a >= 1e5 ? a.toExponential(1) : Number(a.toPrecision(3)).toString())
}

/** mean ± sd of a group, as short text ("0.412 ± 0.031", "0.412" for one run). */
export function meanSd(mean: number | null, sd: number | null): string {
  if (mean === null) return DASH
  return sd === null ? num(mean) : `${num(mean)} ± ${num(sd)}`
}

/** "4.3 s", "42 s", "3 m 05 s", "1 h 02 m". */
export function duration(seconds: number | null | undefined): string {
  if (!finite(seconds)) return DASH
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`
}

/** Local date and time, to the minute (tooltips behind relative times, headers). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return DASH
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  return new Date(t).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const narrow = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'narrow' })

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/**
 * "3 minutes ago", "yesterday" ("3m ago" when `short`, for table cells); under a minute is
 * "just now" (clocks are never that exact).
 */
export function timeAgo(iso: string | null | undefined, now = Date.now(), short = false): string {
  if (!iso) return DASH
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  const seconds = (t - now) / 1000
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) {
      return (short ? narrow : relative).format(Math.round(seconds / size), unit)
    }
  }
  return 'just now'
}

/** Seconds between two ISO times, or null. */
export function secondsBetween(
  a: string | null | undefined,
  b: string | null | undefined,
): number | null {
  if (!a || !b) return null
  const d = (Date.parse(b) - Date.parse(a)) / 1000
  return Number.isFinite(d) ? d : null
}

/** "128×784". */
export function shape(s: readonly number[] | null | undefined): string {
  return s && s.length ? s.join('×') : DASH
}

/** A count for an axis: 950, 1.5k, 100k, 1M (never "1000k"). */
export function countLabel(v: number): string {
  if (!Number.isFinite(v)) return DASH
  const units = ['', 'k', 'M', 'G', 'T']
  let i = 0
  let x = v
  while (Math.abs(x) >= 1000 && i < units.length - 1) {
    x /= 1000
    i++
  }
  let r = i === 0 ? Math.round(x) : Number(x.toPrecision(3))
  // Rounding can carry into the next unit (999 950 → 1000k): say it in that unit.
  if (Math.abs(r) >= 1000 && i < units.length - 1) {
    r = Number((r / 1000).toPrecision(3))
    i++
  }
  return `${r}${units[i]}`
}
