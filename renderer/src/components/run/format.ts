/** Number and time formatting for the run view: compact, tabular, never "NaN". */

export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (v !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(Math.max(1, digits - 2))
  return v.toFixed(digits)
}

/** Significant digits, for measures spanning many magnitudes (objective values). */
export function sig(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (v !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1)
  return Number(v.toPrecision(digits)).toString()
}

export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return `${(100 * v).toFixed(digits)}%`
}

/** after / before, or null when it has no meaning (before is 0 or missing). */
export function ratio(
  before: number | null | undefined,
  after: number | null | undefined,
): number | null {
  if (before === null || before === undefined || after === null || after === undefined) return null
  if (!Number.isFinite(before) || !Number.isFinite(after) || before === 0) return null
  return after / before
}

export function ratioText(r: number | null): string {
  return r === null ? '—' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`
}

/** "42 s", "3 m 05 s", "1 h 02 m". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—'
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`
}

/** Local date and time, to the minute. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
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
  return s && s.length ? s.join('×') : '—'
}

/** A count for an axis: 950, 1.5k, 100k, 1M (never "1000k"). */
export function countLabel(v: number): string {
  if (!Number.isFinite(v)) return '—'
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
