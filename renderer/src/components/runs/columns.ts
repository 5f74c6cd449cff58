import type { RunRecord } from '../../../../core/api/records.ts'
import { flatten, keyMetricName, parseKeyMetric } from '../../../../core/api/run-views.ts'

/**
 * The runs table's columns, derived from the runs themselves: a few run fields, the
 * backend's key config fields (`configSummary`), every leaf of every run's config (dotted
 * paths), and every key metric. Nothing here lists config keys or metrics by name, so a
 * new config field or metric shows up in the column chooser and the filter by itself.
 */
export type ColumnGroup = 'run' | 'summary' | 'config' | 'metric'
export type CellValue = string | number | boolean | null

export interface RunColumn {
  /** `id`, `name`, `status`, `tags`, `notes`, `createdAt`, `summary.K`, `config.PATH`, `metric.K`, `nearZero.layerN`. */
  readonly key: string
  readonly label: string
  /** The full name, for tooltips and the chooser. */
  readonly title: string
  readonly group: ColumnGroup
  readonly numeric: boolean
  /**
   * A config path that is a whole object in some runs and null in others (an analysis that
   * is on in one run and off in another): null reads "off", an object "on".
   */
  readonly toggle?: boolean
}

/** One run with its config flattened once (the table reads many cells per run). */
export interface RunRow {
  readonly run: RunRecord
  readonly config: Readonly<Record<string, unknown>>
}

const RUN_COLUMNS: readonly RunColumn[] = [
  { key: 'id', label: '#', title: 'run id', group: 'run', numeric: true },
  { key: 'name', label: 'Name', title: 'run name', group: 'run', numeric: false },
  { key: 'status', label: 'Status', title: 'run status', group: 'run', numeric: false },
]
const TAGS_COLUMN: RunColumn = {
  key: 'tags',
  label: 'Tags',
  title: 'tags',
  group: 'run',
  numeric: false,
}
/** Offered once some run has notes (a column of blanks would only take the table's width). */
const NOTES_COLUMN: RunColumn = {
  key: 'notes',
  label: 'Notes',
  title: 'notes (the first line; the run page shows them all)',
  group: 'run',
  numeric: false,
}
const CREATED_COLUMN: RunColumn = {
  key: 'createdAt',
  label: 'Created',
  title: 'created at',
  group: 'run',
  numeric: false,
}

/** Active runs first when sorting by status: what a researcher is watching. */
const STATUS_ORDER: Record<string, number> = {
  running: 0,
  queued: 1,
  failed: 2,
  interrupted: 3,
  cancelled: 4,
  completed: 5,
}

const rowCache = new WeakMap<RunRecord, RunRow>()

/** The row of a run (cached per record object: a replaced record is flattened again). */
export function runRow(run: RunRecord): RunRow {
  let row = rowCache.get(run)
  if (!row) {
    row = { run, config: flatten(run.config) }
    rowCache.set(run, row)
  }
  return row
}

const NEAR_ZERO_COLUMN = 'nearZero.layer'

/** The column of a layer's held-out nearZero, neuron basis → learned bases. */
export function nearZeroColumn(layer: number): string {
  return `${NEAR_ZERO_COLUMN}${layer}`
}

/** The layer a nearZero column shows, or null for any other column. */
export function nearZeroColumnLayer(key: string): number | null {
  if (!key.startsWith(NEAR_ZERO_COLUMN)) return null
  const layer = Number(key.slice(NEAR_ZERO_COLUMN.length))
  return Number.isInteger(layer) && layer > 0 ? layer : null
}

/** "rotation.optimizer.lr" → "optimizer.lr": the last two segments say enough in a header. */
function shortLabel(path: string): string {
  return path.split('.').slice(-2).join('.')
}

/** Every column the runs offer, in table order: run fields, key config, config, metrics. */
export function columnCatalog(runs: readonly RunRecord[]): RunColumn[] {
  const summary = new Map<string, boolean>()
  const config = new Map<string, boolean>()
  const metrics = new Set<string>()
  for (const run of runs) {
    for (const [k, v] of Object.entries(run.configSummary)) {
      summary.set(k, (summary.get(k) ?? true) && (typeof v === 'number' || v == null))
    }
    for (const [k, v] of Object.entries(runRow(run).config)) {
      config.set(k, (config.get(k) ?? true) && (typeof v === 'number' || v == null))
    }
    for (const k of Object.keys(run.keyMetrics)) metrics.add(k)
  }
  const configKeys = [...config.keys()].sort()
  const parents = new Set(configKeys.flatMap((k) => prefixes(k)))
  const layers = [
    ...new Set(
      [...metrics]
        .map(parseKeyMetric)
        .filter((m) => m?.metric === 'nearZero' && m.when === 'after')
        .map((m) => m!.layer),
    ),
  ].sort((a, b) => a - b)
  return [
    ...RUN_COLUMNS,
    ...[...summary].map(([k, numeric]) => ({
      key: `summary.${k}`,
      label: k,
      title: `${k} (key config)`,
      group: 'summary' as const,
      numeric,
    })),
    ...configKeys.map((k) => ({
      key: `config.${k}`,
      label: shortLabel(k),
      title: k,
      group: 'config' as const,
      numeric: config.get(k)! && !parents.has(k),
      toggle: parents.has(k),
    })),
    ...layers.map((l) => ({
      key: nearZeroColumn(l),
      label: `nearZero L${l}`,
      title: `layer ${l}: held-out nearZero in the neuron basis → in the learned bases`,
      group: 'metric' as const,
      numeric: true,
    })),
    ...[...metrics].sort().map((k) => ({
      key: `metric.${k}`,
      label: METRIC_LABELS[k] ?? k,
      title: METRIC_LABELS[k] ? `${k}: ${METRIC_LABELS[k]}` : k,
      group: 'metric' as const,
      numeric: true,
    })),
    TAGS_COLUMN,
    ...(runs.some((r) => r.notes) ? [NOTES_COLUMN] : []),
    CREATED_COLUMN,
  ]
}

/**
 * Headers of the run-wide key metrics, short enough for the table to fit 1440 px (the
 * filter and the title keep the key's own name).
 */
const METRIC_LABELS: Readonly<Record<string, string>> = {
  maxAbsLogitDiff: 'max |Δ logit|',
  testAccuracy: 'test acc.',
  accuracyAfter: 'acc. after',
  orthogonalityError: 'orth. error',
}

/** "a.b.c" → ["a", "a.b"]. */
function prefixes(path: string): string[] {
  const parts = path.split('.')
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'))
}

/**
 * The columns a new project's table shows: the backend's key fields that name choices (the
 * numeric ones are a click away in the chooser) and the key results.
 */
export function defaultColumnKeys(catalog: readonly RunColumn[]): string[] {
  return catalog
    .filter(
      (c) =>
        c.group === 'run' ||
        (c.group === 'summary' && !c.numeric) ||
        nearZeroColumnLayer(c.key) !== null ||
        c.key === 'metric.testAccuracy' ||
        c.key === 'metric.maxAbsLogitDiff',
    )
    .map((c) => c.key)
}

/** A config value at a path of a flattened config; a path with leaves below it is "on". */
function configCell(config: Readonly<Record<string, unknown>>, path: string): CellValue {
  if (path in config) return leafValue(config[path])
  const below = `${path}.`
  return Object.keys(config).some((k) => k.startsWith(below)) ? 'on' : null
}

function leafValue(v: unknown): CellValue {
  if (v === undefined || v === null) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  return JSON.stringify(v)
}

/** What a run has in a column (null: nothing — not run, not recorded, not in its config). */
export function cellValue(row: RunRow, key: string): CellValue {
  const run = row.run
  switch (key) {
    case 'id':
      return run.id
    case 'name':
      return run.name
    case 'status':
      return run.status
    case 'tags':
      return run.tags.length ? run.tags.join(', ') : null
    case 'notes':
      return run.notes || null
    case 'createdAt':
      return run.createdAt
  }
  if (key.startsWith('summary.')) return leafValue(run.configSummary[key.slice(8)])
  if (key.startsWith('config.')) return configCell(row.config, key.slice(7))
  if (key.startsWith('metric.')) return run.keyMetrics[key.slice(7)] ?? null
  const layer = nearZeroColumnLayer(key)
  if (layer !== null) return run.keyMetrics[keyMetricName(layer, 'nearZero', 'after')] ?? null
  return null
}

/** A cell as a sortable value: statuses by urgency, times as numbers, text lower-cased. */
function sortValue(row: RunRow, key: string): string | number | null {
  if (key === 'status') return STATUS_ORDER[row.run.status] ?? 9
  if (key === 'createdAt') return Date.parse(row.run.createdAt)
  const v = cellValue(row, key)
  if (v === null) return null
  if (typeof v === 'number') return v
  return String(v).toLowerCase()
}

export interface SortState {
  key: string
  dir: 'asc' | 'desc'
}

/** Sorted by one column; missing values last in both directions, ties newest first. */
export function sortRows(rows: readonly RunRow[], sort: SortState): RunRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1
  const keyed = rows.map((row) => ({ row, v: sortValue(row, sort.key) }))
  keyed.sort((a, b) => {
    if (a.v === b.v) return b.row.run.id - a.row.run.id
    if (a.v === null) return 1
    if (b.v === null) return -1
    if (typeof a.v === 'number' && typeof b.v === 'number') return (a.v - b.v) * sign
    return String(a.v).localeCompare(String(b.v), undefined, { numeric: true }) * sign
  })
  return keyed.map((k) => k.row)
}

/** The direction a first click sorts a column: text A→Z, numbers and times largest first. */
export function firstSortDir(column: RunColumn | undefined): 'asc' | 'desc' {
  if (!column) return 'asc'
  return column.numeric || column.key === 'createdAt' ? 'desc' : 'asc'
}
