import { type RunRecord, type RunStatus, runStatusSchema } from '../api/records.ts'
import { APP_VERSION } from '../version.ts'
import { type Connection, invalidArgument, nonEmptyName, now } from './connection.ts'
import { decodeKeyMetrics, encodeKeyMetrics, parseJson, toJson } from './json.ts'
import type { NewRun, RunUpdate } from './types.ts'

/** The `runs` and `tags` tables: a run's record, its status, tags and notes. */

const INTERRUPTED_ERROR = 'interrupted: Basiscope stopped before the run finished'

const RUN_COLUMNS = `id, name, status, created_at, started_at, finished_at, config, seed, backend,
  app_version, tfjs_version, dataset_sha256, error, notes, notes_updated_at, config_summary,
  key_metrics, group_key`

interface RunRow {
  id: number
  name: string
  status: RunStatus
  created_at: string
  started_at: string | null
  finished_at: string | null
  config: string
  seed: number
  backend: string | null
  app_version: string
  tfjs_version: string | null
  dataset_sha256: string | null
  error: string | null
  notes: string
  notes_updated_at: string | null
  config_summary: string
  key_metrics: string
  group_key: string | null
}

function toRecord(c: Connection, row: RunRow, tags: string[]): RunRecord {
  const where = `run ${row.id}`
  const configSummary = parseJson(c.path, `${where} config summary`, row.config_summary)
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    config: parseJson(c.path, `${where} config`, row.config),
    backend: row.backend,
    appVersion: row.app_version,
    tfjsVersion: row.tfjs_version,
    seed: row.seed,
    datasetSha256: row.dataset_sha256,
    error: row.error,
    tags,
    notes: row.notes,
    notesUpdatedAt: row.notes_updated_at,
    configSummary:
      configSummary !== null && typeof configSummary === 'object' && !Array.isArray(configSummary)
        ? (configSummary as Record<string, unknown>)
        : {},
    keyMetrics: decodeKeyMetrics(c.path, `${where} key metrics`, row.key_metrics),
    group: row.group_key,
  }
}

function tagsOf(c: Connection, id: number): string[] {
  return c.stmt('SELECT tag FROM tags WHERE run_id = ? ORDER BY rowid').pluck().all(id) as string[]
}

export function getRun(c: Connection, id: number): RunRecord {
  const row = c.stmt(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined
  if (!row) throw c.notFound('run', id)
  return toRecord(c, row, tagsOf(c, id))
}

export function createRun(c: Connection, run: NewRun): RunRecord {
  const name = nonEmptyName(run.name, 'run.name')
  if (!Number.isSafeInteger(run.seed)) {
    throw invalidArgument(`run.seed must be an integer, got ${String(run.seed)}`, 'run.seed')
  }
  const result = c
    .stmt(
      `INSERT INTO runs (name, status, created_at, config, seed, app_version, config_summary, key_metrics, group_key)
       VALUES (?, 'queued', ?, ?, ?, ?, ?, '{}', ?)`,
    )
    .run(
      name,
      now(),
      toJson(run.config, 'run.config'),
      run.seed,
      APP_VERSION,
      toJson(run.configSummary ?? {}, 'run.configSummary'),
      run.group ?? null,
    )
  return getRun(c, Number(result.lastInsertRowid))
}

/** The columns an update sets, with their values, in a fixed order. */
function updateColumns(update: RunUpdate): [string, unknown][] {
  const sets: [string, unknown][] = []
  if (update.status !== undefined) {
    if (!runStatusSchema.safeParse(update.status).success) {
      throw invalidArgument(`unknown run status '${String(update.status)}'`, 'status')
    }
    sets.push(['status', update.status])
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
    const rows = c.stmt(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id`).all() as RunRow[]
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

export function markInterrupted(c: Connection): number[] {
  return c.db
    .transaction(() => {
      const ids = c
        .stmt("SELECT id FROM runs WHERE status IN ('running', 'queued') ORDER BY id")
        .pluck()
        .all() as number[]
      c.stmt(
        `UPDATE runs SET status = 'interrupted', error = coalesce(error, ?)
         WHERE status IN ('running', 'queued')`,
      ).run(INTERRUPTED_ERROR)
      return ids
    })
    .immediate()
}
