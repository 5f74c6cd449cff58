import { differsBeyondNoise } from '../../../../core/api/run-views.ts'
import { relativeText } from '../../format.ts'
import { type CellValue, type RunColumn, type RunRow, cellValue } from './columns.ts'

/**
 * Groups of runs and what a group's row shows: numbers as mean ± sd over the group, text
 * as the one value the runs share (or how many differ).
 */

/** Group by the whole config except its seeds: runs that differ only by seed. */
export const SEED_GROUPS = 'seeds'

export interface Aggregate {
  /** Runs with a finite value. */
  readonly n: number
  readonly mean: number | null
  /** Sample standard deviation (n − 1); null for fewer than 2 values. */
  readonly sd: number | null
  /** Non-numeric columns: the value every run has, else null. */
  readonly common: CellValue
  /** Non-numeric columns: how many distinct values the runs have. */
  readonly distinct: number
}

export interface RunGroup {
  readonly id: string
  readonly label: string
  readonly rows: readonly RunRow[]
  readonly stats: Readonly<Record<string, Aggregate>>
}

/** The key a run is grouped under; seeds and the run's name never tell runs apart. */
function groupKey(row: RunRow, by: string): string {
  if (by !== SEED_GROUPS) return JSON.stringify(cellValue(row, by))
  const rest = Object.entries(row.config)
    .filter(([path]) => !/(^|\.)(seed|name)$/.test(path))
    .sort(([a], [b]) => a.localeCompare(b))
  return JSON.stringify(rest)
}

function seedsOf(rows: readonly RunRow[]): string {
  const seeds = [...new Set(rows.map((r) => r.config.seed ?? r.run.seed))]
  return seeds
    .sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : 0))
    .map(String)
    .join(', ')
}

/** A seed group's name: its first run's, without the " · seed N" a seeded start appends. */
function seedGroupName(rows: readonly RunRow[]): string {
  return rows[0].run.name.replace(/ · seed \S+$/, '')
}

export function aggregate(rows: readonly RunRow[], column: RunColumn): Aggregate {
  const values = rows.map((r) => cellValue(r, column.key))
  if (column.numeric) {
    const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    const n = xs.length
    const mean = n ? xs.reduce((a, b) => a + b, 0) / n : null
    const sd =
      n > 1 && mean !== null
        ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1))
        : null
    return { n, mean, sd, common: null, distinct: new Set(xs).size }
  }
  const distinct = new Set(values.map((v) => JSON.stringify(v)))
  return {
    n: values.filter((v) => v !== null).length,
    mean: null,
    sd: null,
    common: distinct.size === 1 ? values[0] : null,
    distinct: distinct.size,
  }
}

/**
 * Rows in groups, in the order their first member appears (the table's sort), each with
 * the aggregates of the given columns.
 */
export function groupRows(
  rows: readonly RunRow[],
  by: string,
  columns: readonly RunColumn[],
): RunGroup[] {
  const groups = new Map<string, RunRow[]>()
  for (const row of rows) {
    const k = groupKey(row, by)
    const list = groups.get(k)
    if (list) list.push(row)
    else groups.set(k, [row])
  }
  return [...groups.entries()].map(([key, members], i) => {
    const first = members[0]
    const label =
      by === SEED_GROUPS
        ? `${seedGroupName(members)}${members.length > 1 ? ` · seeds ${seedsOf(members)}` : ''}`
        : `${columns.find((c) => c.key === by)?.title ?? by} = ${cellText(cellValue(first, by))}`
    return {
      id: `${i}:${key}`,
      label,
      rows: members,
      stats: Object.fromEntries(columns.map((c) => [c.key, aggregate(members, c)])),
    }
  })
}

/**
 * A group's mean in a column read against a reference group's: the difference (or ratio)
 * and whether it is beyond the noise of their seeds (null: a group has one run, or no spread
 * to tell noise by).
 */
export function versusGroup(
  group: RunGroup,
  reference: RunGroup,
  key: string,
  mode: 'delta' | 'ratio',
): { text: string; beyondNoise: boolean | null } | null {
  const a = group.stats[key]
  const r = reference.stats[key]
  if (a?.mean == null || r?.mean == null) return null
  const text = relativeText(a.mean, r.mean, mode)
  if (text === null) return null
  const beyondNoise =
    a.sd === null || r.sd === null
      ? null
      : differsBeyondNoise({ mean: a.mean, sd: a.sd, n: a.n }, { mean: r.mean, sd: r.sd, n: r.n })
  return { text, beyondNoise }
}

/** A value as table text (never "NaN", never "undefined"). */
export function cellText(v: CellValue): string {
  if (v === null) return '—'
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  return String(v)
}
