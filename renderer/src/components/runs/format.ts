import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

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
  if (!iso) return '—'
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

/** The full local date and time, for tooltips behind relative times. */
export function fullTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const t = Date.parse(iso)
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString()
}

/** "1 m 05 s", "42 s"; null when the backend has no estimate yet. */
export function duration(seconds: number | null | undefined): string | null {
  if (seconds == null || !Number.isFinite(seconds)) return null
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`
}

/** A number for a table cell: fixed digits, or exponent notation for tiny/huge values. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value == null || !Number.isFinite(value)) return '—'
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) {
    return value.toExponential(1)
  }
  return value.toFixed(digits)
}

/** A clock that ticks every `ms`, so relative times in a view stay current. */
export function useNow(ms = 30_000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => (timer = setInterval(() => (now.value = Date.now()), ms)))
  onBeforeUnmount(() => clearInterval(timer))
  return now
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
  if (value == null || reference == null || !Number.isFinite(value) || !Number.isFinite(reference))
    return null
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
  if (mean === null) return '—'
  return sd === null ? formatNumber(mean) : `${formatNumber(mean)} ± ${formatNumber(sd)}`
}
