import { type RunRecord, type RunStatus, runStatusSchema } from '../api/records.ts'
import { APP_VERSION } from '../version.ts'
import { type Connection, invalidArgument, nonEmptyName, now } from './connection.ts'
import { encodeKeyMetrics, keyMetricsFrom, parseJson, toJson } from './json.ts'
import { type StoredOwner, THIS_PROCESS, ownerGone } from './run-owner.ts'
import type { NewRun, RunUpdate } from './types.ts'

/** The `runs` and `tags` tables: a run's record, its status, tags and notes. */

/** The error of a run marked interrupted; a run that finishes after all drops it. */
export const INTERRUPTED_ERROR = 'interrupted: Basiscope stopped before the run finished'

/** The columns a run record is read from, oldest first (see `runColumns`). */
const RUN_COLUMN_NAMES = [
  'id',
  'name',
  'status',
  'created_at',
  'started_at',
  'finished_at',
  'config',
  'seed',
  'backend',
  'app_version',
  'tfjs_version',
  'dataset_sha256',
  'error',
  'notes',
  'notes_updated_at',
  'config_summary',
  'key_metrics',
  'group_key',
  'owner_host',
  'owner_pid',
  'owner_started',
  'owner_token',
  'heartbeat_at',
] as const

const columnLists = new WeakMap<Connection, string>()

/**
 * The select list of a run record. A file of an older schema opened read-only (never
 * migrated) lacks the columns later migrations added: they read as NULL.
 */
function runColumns(c: Connection): string {
  let list = columnLists.get(c)
  if (list === undefined) {
    const present = new Set(
      (c.db.pragma('table_info(runs)') as { name: string }[]).map((col) => col.name),
    )
    list = RUN_COLUMN_NAMES.map((n) => (present.has(n) ? n : `NULL AS ${n}`)).join(', ')
    columnLists.set(c, list)
  }
  return list
}

/**
 * A run row as stored. SQLite keeps any type in any column, so nothing is trusted but the id
 * (an INTEGER PRIMARY KEY is always an integer).
 */
type RunRow = Record<(typeof RUN_COLUMN_NAMES)[number], unknown> & { id: number }

function ownerOf(row: RunRow): StoredOwner {
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)
  return {
    host: text(row.owner_host),
    pid: typeof row.owner_pid === 'number' ? row.owner_pid : null,
    started: text(row.owner_started),
    token: text(row.owner_token),
    heartbeatAt: text(row.heartbeat_at),
  }
}

/** Whether a queued or running run's owner is gone (run-owner.ts), so it cannot finish. */
function abandoned(c: Connection, row: RunRow): boolean {
  return (
    (row.status === 'running' || row.status === 'queued') && ownerGone(ownerOf(row), c.path, row.id)
  )
}

/**
 * Reads a row's columns, noting every one that does not hold what it should instead of
 * failing: a damaged run is listed with `damaged` saying which columns, and the rest of the
 * project stays usable.
 */
class RowReader {
  readonly problems: string[] = []
  constructor(private readonly row: RunRow) {}

  json(column: keyof RunRow): unknown {
    const v = this.row[column]
    if (v === null || v === undefined) return null
    if (typeof v === 'string') {
      try {
        return JSON.parse(v) as unknown
      } catch {
        // noted below
      }
    }
    this.problems.push(`${column} is not valid JSON`)
    return null
  }

  object(column: keyof RunRow): Record<string, unknown> {
    const v = this.json(column)
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : {}
  }

  text(column: keyof RunRow): string {
    const v = this.row[column]
    if (typeof v === 'string') return v
    this.problems.push(`${column} is not text`)
    return v === null || v === undefined ? '' : String(v)
  }

  textOrNull(column: keyof RunRow): string | null {
    const v = this.row[column]
    return v === null || v === undefined ? null : this.text(column)
  }

  integer(column: keyof RunRow): number {
    const v = this.row[column]
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v
    if (typeof v === 'bigint') return Number(v)
    this.problems.push(`${column} is not an integer`)
    return 0
  }

  status(): RunStatus {
    const parsed = runStatusSchema.safeParse(this.row.status)
    if (parsed.success) return parsed.data
    this.problems.push('status is not a run status')
    return 'failed'
  }
}

function toRecord(c: Connection, row: RunRow, tags: string[]): RunRecord {
  const r = new RowReader(row)
  const record: RunRecord = {
    id: row.id,
    name: r.text('name'),
    // A run whose owner is gone is shown interrupted even where the file is not changed
    // (a read-only open); opening the project read-write records it (`markInterrupted`).
    status: abandoned(c, row) ? 'interrupted' : r.status(),
    createdAt: r.text('created_at'),
    startedAt: r.textOrNull('started_at'),
    finishedAt: r.textOrNull('finished_at'),
    config: r.json('config'),
    backend: r.textOrNull('backend'),
    appVersion: r.text('app_version'),
    tfjsVersion: r.textOrNull('tfjs_version'),
    seed: r.integer('seed'),
    datasetSha256: r.textOrNull('dataset_sha256'),
    error: abandoned(c, row) ? (r.textOrNull('error') ?? INTERRUPTED_ERROR) : r.textOrNull('error'),
    tags,
    notes: r.text('notes'),
    notesUpdatedAt: r.textOrNull('notes_updated_at'),
    configSummary: r.object('config_summary'),
    keyMetrics: keyMetricsFrom(r.json('key_metrics')),
    group: r.textOrNull('group_key'),
  }
  return r.problems.length > 0
    ? { ...record, damaged: `run ${record.id} in ${c.path}: ${r.problems.join('; ')}` }
    : record
}

function tagsOf(c: Connection, id: number): string[] {
  return c.stmt('SELECT tag FROM tags WHERE run_id = ? ORDER BY rowid').pluck().all(id) as string[]
}

export function getRun(c: Connection, id: number): RunRecord {
  const row = c.stmt(`SELECT ${runColumns(c)} FROM runs WHERE id = ?`).get(id) as RunRow | undefined
  if (!row) throw c.notFound('run', id)
  return toRecord(c, row, tagsOf(c, id))
}

/** Inserts a queued run owned by this process; returns its id. */
export function createRun(c: Connection, run: NewRun): number {
  const name = nonEmptyName(run.name, 'run.name')
  if (!Number.isSafeInteger(run.seed)) {
    throw invalidArgument(`run.seed must be an integer, got ${String(run.seed)}`, 'run.seed')
  }
  const at = now()
  const result = c
    .stmt(
      `INSERT INTO runs (name, status, created_at, config, seed, app_version, config_summary,
         key_metrics, group_key, owner_host, owner_pid, owner_started, owner_token, heartbeat_at)
       VALUES (?, 'queued', ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      name,
      at,
      toJson(run.config, 'run.config'),
      run.seed,
      APP_VERSION,
      toJson(run.configSummary ?? {}, 'run.configSummary'),
      run.group ?? null,
      THIS_PROCESS.host,
      THIS_PROCESS.pid,
      THIS_PROCESS.started,
      THIS_PROCESS.token,
      at,
    )
  return Number(result.lastInsertRowid)
}

/** The columns an update sets, with their values, in a fixed order. */
function updateColumns(update: RunUpdate): [string, unknown][] {
  const sets: [string, unknown][] = []
  if (update.status !== undefined) {
    if (!runStatusSchema.safeParse(update.status).success) {
      throw invalidArgument(`unknown run status '${String(update.status)}'`, 'status')
    }
    sets.push(['status', update.status])
    // A run that goes on or ends well has no error: one that was wrongly marked interrupted
    // (by an older Basiscope) drops its "interrupted: …".
    if (update.error === undefined && update.status !== 'failed' && update.status !== 'interrupted')
      sets.push(['error', null])
  }
  if (update.startedAt !== undefined) sets.push(['started_at', update.startedAt])
  if (update.finishedAt !== undefined) sets.push(['finished_at', update.finishedAt])
  if (update.backend !== undefined) sets.push(['backend', update.backend])
  if (update.tfjsVersion !== undefined) sets.push(['tfjs_version', update.tfjsVersion])
  if (update.datasetSha256 !== undefined) sets.push(['dataset_sha256', update.datasetSha256])
  if (update.error !== undefined) sets.push(['error', update.error])
  if (update.keyMetrics !== undefined) {
    sets.push(['key_metrics', encodeKeyMetrics(update.keyMetrics, 'keyMetrics')])
  }
  if (update.summary !== undefined) sets.push(['summary', toJson(update.summary, 'summary')])
  if (update.name !== undefined) sets.push(['name', nonEmptyName(update.name, 'name')])
  if (update.notes !== undefined) {
    sets.push(['notes', String(update.notes)], ['notes_updated_at', now()])
  }
  return sets
}

export function updateRun(c: Connection, id: number, update: RunUpdate): RunRecord {
  const sets = updateColumns(update)
  if (sets.length === 0) return getRun(c, id)
  // Not cached: the statement text depends on which fields are set.
  const result = c.db
    .prepare(`UPDATE runs SET ${sets.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`)
    .run(...sets.map(([, value]) => value), id)
  if (result.changes === 0) throw c.notFound('run', id)
  return getRun(c, id)
}

export function listRuns(c: Connection): RunRecord[] {
  return c.db.transaction(() => {
    const tags = new Map<number, string[]>()
    const tagRows = c.stmt('SELECT run_id, tag FROM tags ORDER BY run_id, rowid').all() as {
      run_id: number
      tag: string
    }[]
    for (const r of tagRows) {
      const list = tags.get(r.run_id)
      if (list) list.push(r.tag)
      else tags.set(r.run_id, [r.tag])
    }
    const rows = c.stmt(`SELECT ${runColumns(c)} FROM runs ORDER BY id`).all() as RunRow[]
    return rows.map((row) => toRecord(c, row, tags.get(row.id) ?? []))
  })()
}

export function deleteRun(c: Connection, id: number): void {
  // Tags, metrics and artifacts go with it (ON DELETE CASCADE).
  const result = c.stmt('DELETE FROM runs WHERE id = ?').run(id)
  if (result.changes === 0) throw c.notFound('run', id)
}

export function setTags(c: Connection, id: number, tags: readonly string[]): void {
  const unique = [...new Set(tags.map((t) => nonEmptyName(t, 'tag')))]
  c.db.transaction(() => {
    c.requireRun(id)
    c.stmt('DELETE FROM tags WHERE run_id = ?').run(id)
    const insert = c.stmt('INSERT INTO tags (run_id, tag) VALUES (?, ?)')
    for (const tag of unique) insert.run(id, tag)
  })()
}

export function runSummary(c: Connection, id: number): unknown | null {
  const row = c.stmt('SELECT summary FROM runs WHERE id = ?').get(id) as
    { summary: string | null } | undefined
  if (!row) throw c.notFound('run', id)
  return parseJson(c.path, `run ${id} summary`, row.summary)
}

/** Marks the queued and running runs whose owner is gone (`ownerGone`) interrupted. */
export function markInterrupted(c: Connection): number[] {
  return c.db
    .transaction(() => {
      const rows = c
        .stmt(`SELECT ${runColumns(c)} FROM runs WHERE status IN ('running', 'queued') ORDER BY id`)
        .all() as RunRow[]
      const ids = rows.filter((row) => abandoned(c, row)).map((row) => row.id)
      const mark = c.stmt(
        `UPDATE runs SET status = 'interrupted', error = coalesce(error, ?)
         WHERE id = ? AND status IN ('running', 'queued')`,
      )
      for (const id of ids) mark.run(INTERRUPTED_ERROR, id)
      return ids
    })
    .immediate()
}

/** Refreshes the heartbeat of the runs this process owns and holds (`ids`). */
export function beat(c: Connection, ids: readonly number[]): void {
  const update = c.stmt('UPDATE runs SET heartbeat_at = ? WHERE id = ? AND owner_token = ?')
  const at = now()
  c.db.transaction(() => {
    for (const id of ids) update.run(at, id, THIS_PROCESS.token)
  })()
}
