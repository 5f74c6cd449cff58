import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { runStatusSchema } from '../api/records.ts'
import type {
  ArtifactInfo,
  MetricPoint,
  ProjectInfo,
  RunRecord,
  RunStatus,
} from '../api/records.ts'
import { BasiscopeError, fileError } from '../errors.ts'
import { APP_VERSION } from '../version.ts'
import { onlineBackup, snapshotCopy } from './backup.ts'
import { downsampleMinMax } from './downsample.ts'
import { existingSidecars, removeDbFile, sameFile, tempPathFor } from './files.ts'
import { decodeKeyMetrics, encodeKeyMetrics, parseJson, toJson } from './json.ts'
import { SCHEMA_VERSION, migrate, schemaVersion } from './migrations.ts'
import { decodeTensor, encodeTensor, isDtype } from './tensor-codec.ts'
import type { EncodedTensor } from './tensor-codec.ts'
import type {
  ModelInfo,
  NamedTensor,
  NewRun,
  ProjectStore,
  RunUpdate,
  StoredModel,
  StoredTensor,
} from './types.ts'
import { sqliteFileError, validateProjectFile } from './validate.ts'
import type { IntegrityCheckLevel } from './validate.ts'

/** How long a connection waits for another one's write lock before giving up. */
export const BUSY_TIMEOUT_MS = 5000

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

const INTERRUPTED_ERROR = 'interrupted: Basiscope stopped before the run finished'

const RUN_COLUMNS = `id, name, status, created_at, started_at, finished_at, config, seed, backend,
  app_version, tfjs_version, dataset_sha256, error, notes, config_summary, key_metrics`

const ARTIFACT_COLUMNS = 'id, run_id, kind, name, meta, dtype, shape, bytes'

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
  config_summary: string
  key_metrics: string
}

interface ArtifactRow {
  id: number
  run_id: number
  kind: string
  name: string
  meta: string
  dtype: string | null
  shape: string | null
  bytes: number
}

interface ModelRow {
  id: number
  run_id: number | null
  name: string
  created_at: string
  sizes: string
  activation: string
  meta: string
}

interface TensorRow {
  name: string
  dtype: string
  shape: string
  data?: Buffer
}

function invalidArgument(message: string, where?: string): BasiscopeError {
  return new BasiscopeError('INVALID_ARGUMENT', message, where)
}

function nonEmptyName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidArgument(`${what} must be a non-empty string`, what)
  }
  return value.trim()
}

function now(): string {
  return new Date().toISOString()
}

/** Opens a validated project file for reading and writing, with the connection settings. */
function openReadWrite(file: string): Database.Database {
  let db: Database.Database
  try {
    db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
  } catch (e) {
    throw sqliteFileError(file, e)
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    const mode = db.pragma('journal_mode = WAL', { simple: true })
    if (mode !== 'wal')
      throw fileError(file, `cannot use write-ahead logging (journal mode ${String(mode)})`)
    // In WAL mode NORMAL keeps the file consistent after a crash; only the last commits
    // before a power loss may be lost.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    return db
  } catch (e) {
    db.close()
    throw e instanceof BasiscopeError ? e : sqliteFileError(file, e)
  }
}

/**
 * Creates a new project file and opens it. Refuses to overwrite an existing file. The file
 * is built under a temporary name and renamed into place, so it appears complete or not at
 * all.
 */
export function createProject(file: string, name: string): SqliteProjectStore {
  const projectName = nonEmptyName(name, 'name')
  const abs = path.resolve(file)
  if (!fs.existsSync(path.dirname(abs))) {
    throw fileError(abs, 'cannot be created: its folder does not exist')
  }
  // Reserve the name first: fails if the file exists, even if it appeared a moment ago.
  try {
    fs.closeSync(fs.openSync(abs, 'wx'))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw fileError(abs, 'already exists; not overwriting it')
    }
    throw fileError(abs, `cannot be created (${(e as Error).message})`, e)
  }
  // Companion files without their database (left by a crash) would be applied to the new one.
  for (const orphan of existingSidecars(abs)) fs.rmSync(orphan, { force: true })
  const tmp = tempPathFor(abs)
  try {
    const db = new Database(tmp)
    try {
      db.pragma('foreign_keys = ON')
      migrate(db, tmp)
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
    fs.renameSync(tmp, abs)
  } catch (e) {
    removeDbFile(tmp)
    fs.rmSync(abs, { force: true })
    throw e instanceof BasiscopeError
      ? e
      : fileError(abs, `cannot be created (${(e as Error).message})`, e)
  }
  return new SqliteProjectStore(openReadWrite(abs), abs, false, SCHEMA_VERSION)
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
    let db: Database.Database
    try {
      db = new Database(abs, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
    } catch (e) {
      throw sqliteFileError(abs, e)
    }
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
 * `openProject`. Besides `ProjectStore` it always has the saved-model methods.
 */
export class SqliteProjectStore implements ProjectStore {
  readonly path: string
  readonly readOnly: boolean
  private readonly db: Database.Database
  private readonly version: number
  private readonly statements = new Map<string, Database.Statement>()

  /** Use `createProject` or `openProject`. */
  constructor(db: Database.Database, file: string, readOnly: boolean, version: number) {
    this.db = db
    this.path = file
    this.readOnly = readOnly
    this.version = version
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql)
    if (!s) {
      s = this.db.prepare(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  private notFound(what: string, id: number): BasiscopeError {
    return new BasiscopeError(
      'NOT_FOUND',
      `${what} ${id} does not exist in ${this.path}`,
      this.path,
    )
  }

  private requireRun(id: number): void {
    if (this.stmt('SELECT 1 FROM runs WHERE id = ?').get(id) === undefined) {
      throw this.notFound('run', id)
    }
  }

  // Project

  info(): ProjectInfo {
    const facts = new Map(
      (this.stmt('SELECT key, value FROM project').all() as { key: string; value: string }[]).map(
        (r) => [r.key, r.value],
      ),
    )
    const runs = this.stmt(
      'SELECT count(*) AS n, max(created_at) AS created, max(finished_at) AS finished FROM runs',
    ).get() as { n: number; created: string | null; finished: string | null }
    const createdAt = facts.get('created_at') ?? ''
    const times = [facts.get('updated_at'), createdAt, runs.created, runs.finished].filter(
      (t): t is string => typeof t === 'string' && t !== '',
    )
    return {
      path: this.path,
      id: facts.get('id') ?? '',
      name: facts.get('name') ?? '',
      createdAt,
      lastActivity: times.reduce((a, b) => (b > a ? b : a), createdAt),
      runCount: runs.n,
      schemaVersion: this.version,
    }
  }

  rename(name: string): void {
    const projectName = nonEmptyName(name, 'name')
    const upsert = this.stmt(
      'INSERT INTO project (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
    this.db.transaction(() => {
      upsert.run('name', projectName)
      upsert.run('updated_at', now())
    })()
  }

  /** Gives the project a new random id (for a duplicate, which is a different project). */
  renewId(): string {
    const id = crypto.randomUUID()
    this.stmt("UPDATE project SET value = ? WHERE key = 'id'").run(id)
    return id
  }

  // Runs

  private toRecord(row: RunRow, tags: string[]): RunRecord {
    const where = `run ${row.id}`
    const configSummary = parseJson(this.path, `${where} config summary`, row.config_summary)
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      config: parseJson(this.path, `${where} config`, row.config),
      backend: row.backend,
      appVersion: row.app_version,
      tfjsVersion: row.tfjs_version,
      seed: row.seed,
      datasetSha256: row.dataset_sha256,
      error: row.error,
      tags,
      notes: row.notes,
      configSummary:
        configSummary !== null && typeof configSummary === 'object' && !Array.isArray(configSummary)
          ? (configSummary as Record<string, unknown>)
          : {},
      keyMetrics: decodeKeyMetrics(this.path, `${where} key metrics`, row.key_metrics),
    }
  }

  private tagsOf(id: number): string[] {
    return this.stmt('SELECT tag FROM tags WHERE run_id = ? ORDER BY rowid')
      .pluck()
      .all(id) as string[]
  }

  createRun(run: NewRun): RunRecord {
    const name = nonEmptyName(run.name, 'run.name')
    if (!Number.isSafeInteger(run.seed)) {
      throw invalidArgument(`run.seed must be an integer, got ${String(run.seed)}`, 'run.seed')
    }
    const result = this.stmt(
      `INSERT INTO runs (name, status, created_at, config, seed, app_version, config_summary, key_metrics)
       VALUES (?, 'queued', ?, ?, ?, ?, ?, '{}')`,
    ).run(
      name,
      now(),
      toJson(run.config, 'run.config'),
      run.seed,
      APP_VERSION,
      toJson(run.configSummary ?? {}, 'run.configSummary'),
    )
    return this.getRun(Number(result.lastInsertRowid))
  }

  updateRun(id: number, update: RunUpdate): RunRecord {
    const sets: string[] = []
    const values: unknown[] = []
    const set = (column: string, value: unknown): void => {
      sets.push(`${column} = ?`)
      values.push(value)
    }
    if (update.status !== undefined) {
      if (!runStatusSchema.safeParse(update.status).success) {
        throw invalidArgument(`unknown run status '${String(update.status)}'`, 'status')
      }
      set('status', update.status)
    }
    if (update.startedAt !== undefined) set('started_at', update.startedAt)
    if (update.finishedAt !== undefined) set('finished_at', update.finishedAt)
    if (update.backend !== undefined) set('backend', update.backend)
    if (update.tfjsVersion !== undefined) set('tfjs_version', update.tfjsVersion)
    if (update.datasetSha256 !== undefined) set('dataset_sha256', update.datasetSha256)
    if (update.error !== undefined) set('error', update.error)
    if (update.keyMetrics !== undefined) {
      set('key_metrics', encodeKeyMetrics(update.keyMetrics, 'keyMetrics'))
    }
    if (update.summary !== undefined) set('summary', toJson(update.summary, 'summary'))
    if (update.name !== undefined) set('name', nonEmptyName(update.name, 'name'))
    if (update.notes !== undefined) set('notes', String(update.notes))
    if (sets.length === 0) return this.getRun(id)
    // Not cached: the statement text depends on which fields are set.
    const result = this.db
      .prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`)
      .run(...values, id)
    if (result.changes === 0) throw this.notFound('run', id)
    return this.getRun(id)
  }

  getRun(id: number): RunRecord {
    const row = this.stmt(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as
      RunRow | undefined
    if (!row) throw this.notFound('run', id)
    return this.toRecord(row, this.tagsOf(id))
  }

  listRuns(): RunRecord[] {
    return this.db.transaction(() => {
      const tags = new Map<number, string[]>()
      const tagRows = this.stmt('SELECT run_id, tag FROM tags ORDER BY run_id, rowid').all() as {
        run_id: number
        tag: string
      }[]
      for (const r of tagRows) {
        const list = tags.get(r.run_id)
        if (list) list.push(r.tag)
        else tags.set(r.run_id, [r.tag])
      }
      const rows = this.stmt(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id`).all() as RunRow[]
      return rows.map((row) => this.toRecord(row, tags.get(row.id) ?? []))
    })()
  }

  deleteRun(id: number): void {
    // Tags, metrics and artifacts go with it (ON DELETE CASCADE); models keep run_id NULL.
    const result = this.stmt('DELETE FROM runs WHERE id = ?').run(id)
    if (result.changes === 0) throw this.notFound('run', id)
  }

  setTags(id: number, tags: readonly string[]): void {
    const unique = [...new Set(tags.map((t) => nonEmptyName(t, 'tag')))]
    this.db.transaction(() => {
      this.requireRun(id)
      this.stmt('DELETE FROM tags WHERE run_id = ?').run(id)
      const insert = this.stmt('INSERT INTO tags (run_id, tag) VALUES (?, ?)')
      for (const tag of unique) insert.run(id, tag)
    })()
  }

  runSummary(id: number): unknown | null {
    const row = this.stmt('SELECT summary FROM runs WHERE id = ?').get(id) as
      { summary: string | null } | undefined
    if (!row) throw this.notFound('run', id)
    return parseJson(this.path, `run ${id} summary`, row.summary)
  }

  markInterrupted(): number[] {
    return this.db
      .transaction(() => {
        const ids = this.stmt(
          "SELECT id FROM runs WHERE status IN ('running', 'queued') ORDER BY id",
        )
          .pluck()
          .all() as number[]
        this.stmt(
          `UPDATE runs SET status = 'interrupted', error = coalesce(error, ?)
         WHERE status IN ('running', 'queued')`,
        ).run(INTERRUPTED_ERROR)
        return ids
      })
      .immediate()
  }

  // Metrics

  appendMetrics(
    runId: number,
    points: readonly { key: string; step: number; wallTime: number; value: number }[],
  ): void {
    for (const p of points) {
      if (typeof p.key !== 'string' || p.key === '') {
        throw invalidArgument('metric key must be a non-empty string', 'key')
      }
      if (!Number.isFinite(p.step) || !Number.isFinite(p.wallTime) || typeof p.value !== 'number') {
        throw invalidArgument(
          `metric ${p.key}: step and wallTime must be finite numbers and value a number`,
          p.key,
        )
      }
    }
    if (points.length === 0) return
    const insert = this.stmt(
      'INSERT INTO metrics (run_id, key, step, wall_time, value) VALUES (?, ?, ?, ?, ?)',
    )
    this.db.transaction(() => {
      this.requireRun(runId)
      // NaN is stored as NULL by SQLite; metricSeries turns NULL back into NaN.
      for (const p of points) {
        insert.run(runId, p.key, p.step, p.wallTime, Number.isNaN(p.value) ? null : p.value)
      }
    })()
  }

  metricKeys(runId: number): string[] {
    this.requireRun(runId)
    return this.stmt('SELECT DISTINCT key FROM metrics WHERE run_id = ? ORDER BY key')
      .pluck()
      .all(runId) as string[]
  }

  metricSeries(runId: number, key: string, maxPoints?: number): MetricPoint[] {
    if (maxPoints !== undefined) downsampleMinMax([], maxPoints) // validates maxPoints
    this.requireRun(runId)
    const rows = this.stmt(
      'SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step, rowid',
    )
      .raw()
      .all(runId, key) as [number, number, number | null][]
    const points = rows.map(([step, wallTime, value]) => ({
      step,
      wallTime,
      value: value ?? Number.NaN,
    }))
    return maxPoints === undefined ? points : downsampleMinMax(points, maxPoints)
  }

  // Artifacts

  private toArtifact(row: ArtifactRow): ArtifactInfo {
    const where = `artifact ${row.id}`
    const shape = row.shape === null ? null : parseJson(this.path, `${where} shape`, row.shape)
    return {
      id: row.id,
      runId: row.run_id,
      kind: row.kind,
      name: row.name,
      dtype: isDtype(row.dtype) ? row.dtype : null,
      shape: Array.isArray(shape) ? (shape as number[]) : null,
      meta: parseJson(this.path, `${where} meta`, row.meta),
      bytes: row.bytes,
    }
  }

  addArtifact(
    runId: number,
    kind: string,
    name: string,
    meta: unknown,
    tensor: StoredTensor | null,
  ): ArtifactInfo {
    const artifactKind = nonEmptyName(kind, 'kind')
    const artifactName = nonEmptyName(name, 'name')
    const encoded = tensor ? encodeTensor(tensor, `artifact ${artifactName}`) : null
    const metaJson = toJson(meta, 'meta')
    return this.db.transaction(() => {
      this.requireRun(runId)
      const result = this.stmt(
        `INSERT INTO artifacts (run_id, kind, name, meta, dtype, shape, data, bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        runId,
        artifactKind,
        artifactName,
        metaJson,
        encoded?.dtype ?? null,
        encoded?.shape ?? null,
        encoded?.data ?? null,
        encoded?.bytes ?? 0,
      )
      return this.artifactMeta(Number(result.lastInsertRowid))
    })()
  }

  listArtifacts(runId: number): ArtifactInfo[] {
    this.requireRun(runId)
    const rows = this.stmt(
      `SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE run_id = ? ORDER BY id`,
    ).all(runId) as ArtifactRow[]
    return rows.map((r) => this.toArtifact(r))
  }

  readArtifactTensor(artifactId: number): StoredTensor | null {
    const row = this.stmt('SELECT dtype, shape, data FROM artifacts WHERE id = ?').get(
      artifactId,
    ) as { dtype: string | null; shape: string | null; data: Buffer | null } | undefined
    if (!row) throw this.notFound('artifact', artifactId)
    if (row.dtype === null) return null
    return decodeTensor(this.path, `artifact ${artifactId}`, row.dtype, row.shape, row.data)
  }

  artifactMeta(artifactId: number): ArtifactInfo {
    const row = this.stmt(`SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE id = ?`).get(
      artifactId,
    ) as ArtifactRow | undefined
    if (!row) throw this.notFound('artifact', artifactId)
    return this.toArtifact(row)
  }

  // Models

  saveModel(
    runId: number | null,
    name: string,
    sizes: readonly number[],
    activation: string,
    tensors: readonly NamedTensor[],
    meta: unknown = null,
  ): number {
    const modelName = nonEmptyName(name, 'name')
    const act = nonEmptyName(activation, 'activation')
    if (sizes.length === 0 || !sizes.every((s) => Number.isSafeInteger(s) && s > 0)) {
      throw invalidArgument(`sizes must be positive integers, got [${sizes.join(', ')}]`, 'sizes')
    }
    const seen = new Set<string>()
    const encoded: { name: string; tensor: EncodedTensor }[] = tensors.map((t) => {
      const tensorName = nonEmptyName(t.name, 'tensor name')
      if (seen.has(tensorName))
        throw invalidArgument(`tensor '${tensorName}' appears twice`, tensorName)
      seen.add(tensorName)
      return { name: tensorName, tensor: encodeTensor(t.tensor, `tensor ${tensorName}`) }
    })
    const metaJson = toJson(meta, 'meta')
    return this.db.transaction(() => {
      if (runId !== null) this.requireRun(runId)
      const result = this.stmt(
        `INSERT INTO models (run_id, name, created_at, sizes, activation, meta)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(runId, modelName, now(), JSON.stringify(sizes), act, metaJson)
      const id = Number(result.lastInsertRowid)
      const insert = this.stmt(
        'INSERT INTO model_tensors (model_id, name, dtype, shape, data) VALUES (?, ?, ?, ?, ?)',
      )
      for (const t of encoded) insert.run(id, t.name, t.tensor.dtype, t.tensor.shape, t.tensor.data)
      return id
    })()
  }

  private toModelInfo(row: ModelRow, tensors: TensorRow[]): ModelInfo {
    const where = `model ${row.id}`
    const sizes = parseJson(this.path, `${where} sizes`, row.sizes)
    return {
      id: row.id,
      runId: row.run_id,
      name: row.name,
      createdAt: row.created_at,
      sizes: Array.isArray(sizes) ? (sizes as number[]) : [],
      activation: row.activation,
      meta: parseJson(this.path, `${where} meta`, row.meta),
      tensors: tensors.map((t) => {
        const shape = parseJson(this.path, `${where} tensor ${t.name} shape`, t.shape)
        if (!isDtype(t.dtype) || !Array.isArray(shape)) {
          throw fileError(
            this.path,
            `is damaged (${where} tensor ${t.name} has no valid dtype/shape)`,
          )
        }
        return { name: t.name, dtype: t.dtype, shape: shape as number[] }
      }),
    }
  }

  listModels(): ModelInfo[] {
    return this.db.transaction(() => {
      const tensors = new Map<number, TensorRow[]>()
      const rows = this.stmt(
        'SELECT model_id, name, dtype, shape FROM model_tensors ORDER BY model_id, rowid',
      ).all() as (TensorRow & { model_id: number })[]
      for (const r of rows) {
        const list = tensors.get(r.model_id)
        if (list) list.push(r)
        else tensors.set(r.model_id, [r])
      }
      const models = this.stmt(
        'SELECT id, run_id, name, created_at, sizes, activation, meta FROM models ORDER BY id',
      ).all() as ModelRow[]
      return models.map((m) => this.toModelInfo(m, tensors.get(m.id) ?? []))
    })()
  }

  loadModel(id: number): StoredModel {
    return this.db.transaction(() => {
      const row = this.stmt(
        'SELECT id, run_id, name, created_at, sizes, activation, meta FROM models WHERE id = ?',
      ).get(id) as ModelRow | undefined
      if (!row) throw this.notFound('model', id)
      const tensors = this.stmt(
        'SELECT name, dtype, shape, data FROM model_tensors WHERE model_id = ? ORDER BY rowid',
      ).all(id) as TensorRow[]
      return {
        info: this.toModelInfo(row, tensors),
        tensors: tensors.map((t) => ({
          name: t.name,
          tensor: decodeTensor(this.path, `model ${id} tensor ${t.name}`, t.dtype, t.shape, t.data),
        })),
      }
    })()
  }

  // File

  async exportTo(file: string): Promise<void> {
    const dest = path.resolve(file)
    if (sameFile(dest, this.path)) {
      throw fileError(dest, 'is the open project itself; export to another file')
    }
    await onlineBackup(this.db, dest)
  }

  /**
   * A consistent, compacted copy to another file made synchronously (`VACUUM INTO`, one read
   * transaction): safe while other connections write, but blocks until done. `exportTo` is the
   * non-blocking alternative.
   */
  copyTo(file: string): void {
    const dest = path.resolve(file)
    if (sameFile(dest, this.path)) {
      throw fileError(dest, 'is the open project itself; copy to another file')
    }
    snapshotCopy(this.db, dest)
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
