import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { ArtifactInfo, MetricPoint, ProjectInfo, RunRecord } from '../api/records.ts'
import { BasiscopeError, fileError } from '../errors.ts'
import { APP_VERSION } from '../version.ts'
import { BUSY_TIMEOUT_MS, Connection, nonEmptyName, now, openReadWrite } from './connection.ts'
import { existingSidecars, removeDbFile, sameFile, tempPathFor } from './files.ts'
import { SCHEMA_VERSION, migrate, schemaVersion } from './migrations.ts'
import { HEARTBEAT_INTERVAL_MS, holdRun, releaseRun } from './run-owner.ts'
import { snapshotOnThread } from './sqlite-thread.ts'
import * as cache from './cache-table.ts'
import * as runs from './runs-table.ts'
import * as series from './series-tables.ts'
import type {
  CacheEntry,
  MetricInput,
  NewRun,
  ProjectStore,
  RunUpdate,
  StoredTensor,
} from './types.ts'
import { openDatabase, validateProjectFile } from './validate.ts'
import type { IntegrityCheckLevel } from './validate.ts'

export { BUSY_TIMEOUT_MS }

/** The extension of project files. */
export const PROJECT_EXTENSION = '.basiscope'

export interface OpenProjectOptions {
  /**
   * Open read-only: nothing is ever written, and an older schema is not migrated (then only
   * `info()`, `exportTo()` and `integrityCheck()` are sure to work).
   */
  readonly readonly?: boolean
  /** How thoroughly to check the file before opening it; default 'full' (integrity_check). */
  readonly check?: IntegrityCheckLevel
  /** Copy a file with data before migrating it to a newer schema; default true. */
  readonly backupBeforeMigrate?: boolean
}

/**
 * Creates a new project file and opens it. Refuses to overwrite an existing file. The file
 * is built under a temporary name and then hard-linked into place, which fails if the name
 * was taken meanwhile, so it appears complete or not at all: no placeholder is ever left
 * (a process killed between reserving a name with an empty file and renaming over it left a
 * 0-byte "project" every later open refused; found by `npm run stress`).
 */
export function createProject(file: string, name: string): SqliteProjectStore {
  const projectName = nonEmptyName(name, 'name')
  const abs = path.resolve(file)
  if (!fs.existsSync(path.dirname(abs))) {
    throw fileError(abs, 'cannot be created: its folder does not exist')
  }
  if (fs.existsSync(abs)) throw fileError(abs, 'already exists; not overwriting it')
  // Companion files without their database (left by a crash) would be applied to the new one.
  for (const orphan of existingSidecars(abs)) fs.rmSync(orphan, { force: true })
  const tmp = tempPathFor(abs)
  try {
    buildNewProject(tmp, projectName)
    publishNoClobber(tmp, abs)
  } catch (e) {
    removeDbFile(tmp)
    throw e instanceof BasiscopeError
      ? e
      : fileError(abs, `cannot be created (${(e as Error).message})`, e)
  }
  return new SqliteProjectStore(openReadWrite(abs), abs, false, SCHEMA_VERSION)
}

/** A fresh project database at `file`: the schema and its header rows. */
function buildNewProject(file: string, projectName: string): void {
  const db = new Database(file)
  try {
    db.pragma('foreign_keys = ON')
    migrate(db, file)
    const at = now()
    const insert = db.prepare('INSERT INTO project (key, value) VALUES (?, ?)')
    db.transaction(() => {
      insert.run('id', crypto.randomUUID())
      insert.run('name', projectName)
      insert.run('created_at', at)
      insert.run('updated_at', at)
      insert.run('app_version', APP_VERSION)
    })()
  } finally {
    db.close()
  }
}

/**
 * Moves the finished file `tmp` to `dest` unless `dest` exists: a hard link (atomic, fails on
 * an existing name), then the temporary name dropped. Where the file system has no hard links,
 * a rename after one more existence check (a narrow race, never a partial file).
 */
function publishNoClobber(tmp: string, dest: string): void {
  try {
    fs.linkSync(tmp, dest)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw fileError(dest, 'already exists; not overwriting it')
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e
    if (fs.existsSync(dest)) throw fileError(dest, 'already exists; not overwriting it')
    fs.renameSync(tmp, dest)
    return
  }
  fs.rmSync(tmp, { force: true })
}

/**
 * Opens an existing project file. It is validated first on a read-only connection (exists,
 * SQLite header, integrity check, known schema version, required tables), so a file that
 * fails is never modified; then it is opened read-write (WAL, foreign keys, busy timeout) and
 * migrated if it is from an older Basiscope (after a backup copy).
 */
export function openProject(file: string, options: OpenProjectOptions = {}): SqliteProjectStore {
  const abs = path.resolve(file)
  const facts = validateProjectFile(abs, { check: options.check ?? 'full' })
  if (options.readonly) {
    const db = openDatabase(abs, { readonly: true, timeout: BUSY_TIMEOUT_MS })
    return new SqliteProjectStore(db, abs, true, facts.schemaVersion)
  }
  const db = openReadWrite(abs)
  try {
    migrate(db, abs, { backup: options.backupBeforeMigrate ?? true })
  } catch (e) {
    db.close()
    throw e
  }
  return new SqliteProjectStore(db, abs, false, schemaVersion(db))
}

/**
 * A project file opened with better-sqlite3. Create one with `createProject` or
 * `openProject`. The tables' code lives in runs-table.ts and series-tables.ts.
 */
export class SqliteProjectStore implements ProjectStore {
  readonly path: string
  readonly readOnly: boolean
  private readonly db: Database.Database
  private readonly version: number
  private readonly c: Connection
  /** The runs this store created and has not seen end: held by this process (run-owner.ts). */
  private readonly held = new Set<number>()
  private heartbeat: NodeJS.Timeout | null = null

  /** Use `createProject` or `openProject`. */
  constructor(db: Database.Database, file: string, readOnly: boolean, version: number) {
    this.db = db
    this.path = file
    this.readOnly = readOnly
    this.version = version
    this.c = new Connection(db, file)
  }

  // Project

  private facts(): Map<string, string> {
    const rows = this.c.stmt('SELECT key, value FROM project').all() as {
      key: string
      value: string
    }[]
    return new Map(rows.map((r) => [r.key, r.value]))
  }

  info(): ProjectInfo {
    const facts = this.facts()
    const counts = this.c
      .stmt(
        'SELECT count(*) AS n, max(created_at) AS created, max(finished_at) AS finished FROM runs',
      )
      .get() as { n: number; created: string | null; finished: string | null }
    const createdAt = facts.get('created_at') ?? ''
    const times = [facts.get('updated_at'), createdAt, counts.created, counts.finished].filter(
      (t): t is string => typeof t === 'string' && t !== '',
    )
    return {
      path: this.path,
      id: facts.get('id') ?? '',
      name: facts.get('name') ?? '',
      createdAt,
      lastActivity: times.reduce((a, b) => (b > a ? b : a), createdAt),
      runCount: counts.n,
      schemaVersion: this.version,
      notes: facts.get('notes') ?? '',
      notesUpdatedAt: facts.get('notes_updated_at') || null,
    }
  }

  private setFacts(entries: readonly [string, string][]): void {
    const upsert = this.c.stmt(
      'INSERT INTO project (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
    this.db.transaction(() => {
      for (const [key, value] of entries) upsert.run(key, value)
    })()
  }

  rename(name: string): void {
    this.setFacts([
      ['name', nonEmptyName(name, 'name')],
      ['updated_at', now()],
    ])
  }

  setNotes(notes: string): void {
    const at = now()
    this.setFacts([
      ['notes', String(notes)],
      ['notes_updated_at', at],
      ['updated_at', at],
    ])
  }

  /** Gives the project a new random id (for a copy that is a different project). */
  renewId(): string {
    const id = crypto.randomUUID()
    this.c.stmt("UPDATE project SET value = ? WHERE key = 'id'").run(id)
    return id
  }

  // Runs

  /** Creates a queued run owned by this process, which holds it until it ends. */
  createRun(run: NewRun): RunRecord {
    const id = runs.createRun(this.c, run)
    this.hold(id)
    return runs.getRun(this.c, id)
  }

  updateRun(id: number, update: RunUpdate): RunRecord {
    const record = runs.updateRun(this.c, id, update)
    if (update.status !== undefined && update.status !== 'queued' && update.status !== 'running')
      this.release(id)
    return record
  }

  private hold(id: number): void {
    this.held.add(id)
    holdRun(this.path, id)
    // The timer only keeps heartbeats fresh: it never keeps the process alive.
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS).unref()
  }

  private release(id: number): void {
    this.held.delete(id)
    releaseRun(this.path, id)
    if (this.held.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat)
      this.heartbeat = null
    }
  }

  private beat(): void {
    try {
      runs.beat(this.c, [...this.held])
    } catch {
      // busy or closed: the next beat tries again, and the threshold is generous
    }
  }

  getRun(id: number): RunRecord {
    return runs.getRun(this.c, id)
  }

  listRuns(): RunRecord[] {
    return runs.listRuns(this.c)
  }

  deleteRun(id: number): void {
    runs.deleteRun(this.c, id)
  }

  setTags(id: number, tags: readonly string[]): void {
    runs.setTags(this.c, id, tags)
  }

  runSummary(id: number): unknown | null {
    return runs.runSummary(this.c, id)
  }

  markInterrupted(): number[] {
    return runs.markInterrupted(this.c)
  }

  // Metrics and artifacts

  appendMetrics(runId: number, points: readonly MetricInput[]): void {
    series.appendMetrics(this.c, runId, points)
  }

  metricKeys(runId: number): string[] {
    return series.metricKeys(this.c, runId)
  }

  metricSeries(runId: number, key: string, maxPoints?: number): MetricPoint[] {
    return series.metricSeries(this.c, runId, key, maxPoints)
  }

  addArtifact(...args: Parameters<ProjectStore['addArtifact']>): ArtifactInfo {
    return series.addArtifact(this.c, ...args)
  }

  listArtifacts(runId: number): ArtifactInfo[] {
    return series.listArtifacts(this.c, runId)
  }

  readArtifactTensor(artifactId: number): StoredTensor | null {
    return series.readArtifactTensor(this.c, artifactId)
  }

  artifactMeta(artifactId: number): ArtifactInfo {
    return series.artifactMeta(this.c, artifactId)
  }

  // Results runs leave for later runs

  writeCacheEntry(entry: CacheEntry, runId: number | null): void {
    cache.writeCacheEntry(this.c, entry, runId)
  }

  cacheEntries(keys?: readonly string[]): CacheEntry[] {
    return cache.readCacheEntries(this.c, keys)
  }

  // File

  async exportTo(file: string): Promise<void> {
    const dest = path.resolve(file)
    if (sameFile(dest, this.path)) {
      throw fileError(dest, 'is the open project itself; export to another file')
    }
    await snapshotOnThread(this.path, dest, { replace: true })
  }

  /** Problems PRAGMA integrity_check finds; empty when the file is sound. */
  integrityCheck(): string[] {
    const rows = this.db.pragma('integrity_check', { simple: false }) as Record<string, unknown>[]
    const messages = rows.map((r) => String(Object.values(r)[0]))
    return messages.length === 1 && messages[0] === 'ok' ? [] : messages
  }

  /** Settings of the connection, for diagnostics and tests. */
  pragma(name: 'journal_mode' | 'foreign_keys' | 'busy_timeout' | 'synchronous'): unknown {
    return this.db.pragma(name, { simple: true })
  }

  get isOpen(): boolean {
    return this.db.open
  }

  /**
   * Closes the file. The last connection to close puts the file back at rest (rollback
   * journal, no -wal/-shm files), so a closed project is one self-contained file.
   */
  close(): void {
    for (const id of [...this.held]) this.release(id)
    if (!this.db.open) return
    if (!this.readOnly) {
      try {
        this.db.pragma('busy_timeout = 0')
        this.db.pragma('journal_mode = DELETE') // fails harmlessly while others have it open
      } catch {
        // another connection still has the file open; it stays in WAL mode for now
      }
    }
    this.db.close()
  }
}
