import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { PROJECT_EXTENSION, openProject } from '../core/store/project-store.ts'
import { integrityMessages, validateProjectFile } from '../core/store/validate.ts'

/**
 * The integrity checks of `npm run stress`, on one project file, read-only: the file opens,
 * `PRAGMA integrity_check` says ok, the app's own validation (validateProjectFile) passes,
 * every JSON column of every row parses, and every completed run's summary and tensors read
 * back through the app's store. The facts about each run are returned so the kill loop can
 * compare them with what it saw before (completed runs must stay completed, unchanged).
 */

/** A run as the file holds it. */
export interface RunFacts {
  readonly id: number
  readonly status: string
  readonly error: string | null
  readonly artifacts: number
  /** sha256 of the stored summary JSON (null before the run finished). */
  readonly summarySha: string | null
}

export interface FileReport {
  readonly file: string
  /** Empty when every check passed. */
  readonly problems: string[]
  /** How many checks were made on the file. */
  readonly checks: number
  readonly runs: RunFacts[]
  /**
   * For a file that failed with a rollback journal beside it (left by a kill): whether a
   * copy of the pair passes every check once SQLite has rolled the journal back, on a
   * read-write connection. Then no data is gone, but the app's read-only checks refuse it.
   */
  readonly soundAfterRollback?: boolean
}

/** Columns holding JSON text, per table (a table or column the schema lacks is skipped). */
export const JSON_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  runs: ['config', 'config_summary', 'key_metrics', 'summary'],
  artifacts: ['meta', 'shape'],
  cache_entries: ['value'],
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  const rows = db.pragma(`table_info(${table})`) as { name: string }[]
  return new Set(rows.map((r) => r.name))
}

/** Problems with JSON columns: every non-null value must parse. One check per row. */
function checkJsonRows(db: Database.Database): { problems: string[]; checks: number } {
  const problems: string[] = []
  let checks = 0
  for (const [table, wanted] of Object.entries(JSON_COLUMNS)) {
    const have = columnsOf(db, table)
    const cols = wanted.filter((c) => have.has(c))
    if (cols.length === 0) continue
    const key = have.has('id') ? 'id' : 'rowid'
    const rows = db.prepare(`SELECT ${key} AS k, ${cols.join(', ')} FROM ${table}`).iterate()
    for (const row of rows as Iterable<Record<string, unknown>>) {
      checks++
      for (const c of cols) {
        const v = row[c]
        if (v === null || v === undefined) continue
        try {
          JSON.parse(String(v))
        } catch {
          problems.push(`${table} ${String(row.k)}: ${c} is not valid JSON`)
        }
      }
    }
  }
  return { problems, checks }
}

const sha = (text: string | null): string | null =>
  text === null ? null : createHash('sha256').update(text).digest('hex')

/** Runs with their status, error, artifact count and summary hash, from the raw rows. */
function runFacts(db: Database.Database): RunFacts[] {
  const rows = db
    .prepare(
      `SELECT r.id, r.status, r.error, r.summary,
         (SELECT count(*) FROM artifacts a WHERE a.run_id = r.id) AS artifacts
       FROM runs r ORDER BY r.id`,
    )
    .all() as {
    id: number
    status: string
    error: string | null
    summary: string | null
    artifacts: number
  }[]
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    error: r.error,
    artifacts: r.artifacts,
    summarySha: sha(r.summary),
  }))
}

/**
 * Every completed run read back through the app's store (read-only): its record, summary,
 * artifacts and every tensor decode. One check per completed run.
 */
function checkCompletedRuns(file: string): { problems: string[]; checks: number } {
  const problems: string[] = []
  let checks = 0
  const store = openProject(file, { readonly: true, check: 'none' })
  try {
    for (const run of store.listRuns()) {
      if (run.status !== 'completed') continue
      checks++
      try {
        if (store.runSummary(run.id) === null) problems.push(`run ${run.id}: completed, no summary`)
        const artifacts = store.listArtifacts(run.id)
        if (artifacts.length === 0) problems.push(`run ${run.id}: completed, no artifacts`)
        for (const a of artifacts) store.readArtifactTensor(a.id)
      } catch (e) {
        problems.push(`run ${run.id}: ${(e as Error).message}`)
      }
    }
  } finally {
    store.close()
  }
  return { problems, checks }
}

/** All checks on one project file; never throws (a failure is a problem in the report). */
export function checkProjectFile(file: string): FileReport {
  const problems: string[] = []
  let checks = 0
  let runs: RunFacts[] = []
  const attempt = (what: string, check: () => void): boolean => {
    checks++
    try {
      check()
      return true
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`)
      return false
    }
  }
  let db: Database.Database | null = null
  checks++
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (e) {
    problems.push(`open: ${(e as Error).message}`)
  }
  if (db) {
    const conn = db
    try {
      attempt('integrity_check', () => {
        const messages = integrityMessages(conn, 'full')
        if (messages.length !== 1 || messages[0] !== 'ok') throw new Error(messages.join('; '))
      })
      attempt('rows', () => {
        const json = checkJsonRows(conn)
        checks += json.checks
        problems.push(...json.problems)
        runs = runFacts(conn)
      })
    } finally {
      conn.close()
    }
  }
  // The app's own validation: header, integrity, schema version, required tables.
  const valid = attempt('validate', () => void validateProjectFile(file, { check: 'full' }))
  if (valid) {
    attempt('completed runs', () => {
      const completed = checkCompletedRuns(file)
      checks += completed.checks
      problems.push(...completed.problems)
    })
  }
  if (problems.length === 0 || !fs.existsSync(`${file}-journal`)) {
    return { file, problems, checks, runs }
  }
  return { file, problems, checks, runs, soundAfterRollback: soundAfterRollback(file) }
}

/** Copies the file and its journal, rolls the journal back read-write and checks the copy. */
function soundAfterRollback(file: string): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-stress-rollback-'))
  try {
    const copy = path.join(dir, path.basename(file))
    fs.copyFileSync(file, copy)
    fs.copyFileSync(`${file}-journal`, `${copy}-journal`)
    try {
      const db = new Database(copy, { fileMustExist: true })
      db.pragma('schema_version') // reading is enough for SQLite to roll a hot journal back
      db.close()
    } catch {
      return false
    }
    if (fs.existsSync(`${copy}-journal`)) return false
    return checkProjectFile(copy).problems.length === 0
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The project files under `dir` (recursively), in a stable order. */
export function projectFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(PROJECT_EXTENSION)) {
      out.push(path.join(entry.parentPath, entry.name))
    }
  }
  return out.sort()
}

/** A completed run as first seen, keyed by `file#runId`. */
export type CompletedRuns = Map<string, RunFacts>

export const runKey = (file: string, runId: number): string => `${file}#${runId}`

/** Notes every completed run of `report` not seen before; returns how many were new. */
export function noteCompleted(known: CompletedRuns, report: FileReport): number {
  let added = 0
  for (const r of report.runs) {
    const key = runKey(report.file, r.id)
    if (r.status === 'completed' && !known.has(key)) {
      known.set(key, r)
      added++
    }
  }
  return added
}

/**
 * Completed runs of `report.file` seen before that are gone, no longer completed, or changed
 * (artifact count, summary). Only valid for a report whose rows could be read.
 */
export function lostCompletedRuns(
  known: CompletedRuns,
  report: FileReport,
): { key: string; reason: string }[] {
  const now = new Map(report.runs.map((r) => [r.id, r]))
  const lost: { key: string; reason: string }[] = []
  for (const [key, before] of known) {
    if (!key.startsWith(`${report.file}#`)) continue
    const after = now.get(before.id)
    const reason = !after
      ? 'completed run is gone'
      : after.status !== 'completed'
        ? `completed run is now ${after.status}`
        : after.artifacts !== before.artifacts || after.summarySha !== before.summarySha
          ? `completed run changed (artifacts ${before.artifacts} → ${after.artifacts})`
          : null
    if (reason) lost.push({ key, reason })
  }
  return lost
}

/** Runs still `running` or `queued` (after a reopen, their owner being dead: left behind). */
export function unfinished<T extends { readonly status: string }>(runs: readonly T[]): T[] {
  return runs.filter((r) => r.status === 'running' || r.status === 'queued')
}

/** Whether a run's record shows that something marked it interrupted. */
export function markedInterrupted(run: Pick<RunFacts, 'status' | 'error'>): boolean {
  return run.status === 'interrupted' || /interrupted/i.test(run.error ?? '')
}

/** The runs' ids, statuses and errors, read cheaply while a run is live ([] if unreadable). */
export function readRunRows(file: string): Pick<RunFacts, 'id' | 'status' | 'error'>[] {
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 })
  } catch {
    return []
  }
  try {
    return db.prepare('SELECT id, status, error FROM runs ORDER BY id').all() as RunFacts[]
  } catch {
    return []
  } finally {
    db.close()
  }
}

/**
 * What a project file and its companion files look like on disk: size and mtime of each.
 * A file whose fingerprint has not changed since it was checked needs no second check.
 */
export function fingerprint(file: string): string {
  return ['', '-wal', '-journal']
    .map((suffix) => {
      try {
        const s = fs.statSync(file + suffix)
        return `${s.size}:${s.mtimeMs}`
      } catch {
        return '-'
      }
    })
    .join('|')
}
