import fs from 'node:fs'
import Database from 'better-sqlite3'
import { runStatusSchema } from '../api/records.ts'
import { BasiscopeError, fileError } from '../errors.ts'
import { sidecarsOf } from './files.ts'
import { REQUIRED_TABLES, SCHEMA_VERSION, newerSchemaProblem, schemaVersion } from './migrations.ts'

/**
 * Checks that a file is a Basiscope project before anything opens it for writing. Works on a
 * read-only connection, so a failed check never modifies the file.
 */

/** The first 16 bytes of every SQLite 3 database file. */
export const SQLITE_HEADER: Buffer = Buffer.from('SQLite format 3\0', 'latin1')

/** How thoroughly to check the database structure: PRAGMA integrity_check, quick_check, or not. */
export type IntegrityCheckLevel = 'full' | 'quick' | 'none'

export interface ValidateOptions {
  /** Default 'full'. */
  readonly check?: IntegrityCheckLevel
  /** The newest schema version understood; default SCHEMA_VERSION. */
  readonly knownVersion?: number
}

export interface ProjectFileFacts {
  readonly schemaVersion: number
}

/** Turns an SQLite error into an error naming the file and the problem. */
export function sqliteFileError(file: string, e: unknown): BasiscopeError {
  const code = (e as { code?: unknown }).code
  const message = (e as Error).message
  // A read-only reader meets a write it would have to roll back first.
  const journal = String(code).startsWith('SQLITE_READONLY') ? unfinishedJournal(file) : null
  if (journal !== null) return fileError(file, unfinishedWriteProblem(journal), e)
  if (
    code === 'SQLITE_CORRUPT' ||
    code === 'SQLITE_NOTADB' ||
    String(code).startsWith('SQLITE_CORRUPT_')
  ) {
    return fileError(file, `is damaged (${message})`, e)
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return fileError(file, `is locked by another program (${message})`, e)
  }
  return fileError(file, `cannot be read (${message})`, e)
}

/** The `-journal` of `file` when it holds an unfinished write (SQLite's "hot journal"), else null. */
export function unfinishedJournal(file: string): string | null {
  const journal = `${file}-journal`
  try {
    // Only a regular file can be one (opening a FIFO would wait for a writer).
    if (!fs.statSync(journal).isFile()) return null
    const fd = fs.openSync(journal, 'r')
    try {
      const first = Buffer.alloc(1)
      // SQLite ignores an empty journal or one whose header was zeroed (a finished write).
      return fs.readSync(fd, first, 0, 1, 0) === 1 && first[0] !== 0 ? journal : null
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return null
  }
}

/** What to do about an unfinished write the app cannot roll back itself. */
export function unfinishedWriteProblem(journal: string, reason?: string): string {
  return (
    `has an unfinished write: ${journal} was left by a program that stopped while writing it` +
    (reason ? `, and it cannot be rolled back here (${reason})` : '') +
    '. Open the project in Basiscope where its folder is writable (it rolls the write back), ' +
    'or import it (a recovered copy); do not delete the journal, which would damage the file'
  )
}

export function checkHeader(file: string): void {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw fileError(file, 'does not exist')
    throw fileError(file, `cannot be read (${(e as Error).message})`, e)
  }
  if (stat.isDirectory()) throw fileError(file, 'is a folder, not a Basiscope project file')
  if (!stat.isFile()) throw fileError(file, 'is not a regular file')
  if (stat.size === 0) throw fileError(file, 'is empty, not a Basiscope project')
  const head = Buffer.alloc(100)
  let read = 0
  try {
    const fd = fs.openSync(file, 'r')
    try {
      read = fs.readSync(fd, head, 0, head.length, 0)
    } finally {
      fs.closeSync(fd)
    }
  } catch (e) {
    throw fileError(file, `cannot be read (${(e as Error).message})`, e)
  }
  if (read < 16 || !head.subarray(0, 16).equals(SQLITE_HEADER)) {
    throw fileError(file, 'is not a Basiscope project (not an SQLite database)')
  }
  if (read < 100) throw fileError(file, 'is damaged (shorter than an SQLite header)')
  // A file in use may be growing (a writer or a checkpoint adds pages after the header).
  if (!sidecarsOf(file).some((f) => fs.existsSync(f))) checkLength(file, head, stat.size)
}

/**
 * A database file at rest is whole pages, at least as many as its header counts (where that
 * count is current): a shorter file was cut off, whatever SQLite would make of the missing
 * pages.
 */
function checkLength(file: string, head: Buffer, size: number): void {
  const field = head.readUInt16BE(16)
  const pageSize = field === 1 ? 65536 : field
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw fileError(file, `is damaged (its header gives an invalid page size ${field})`)
  }
  if (size % pageSize !== 0) {
    throw fileError(
      file,
      `is damaged (cut off: ${size} bytes is not a whole number of ${pageSize}-byte pages)`,
    )
  }
  // The page count at offset 28 is current when the "version valid for" number matches the
  // change counter.
  const pages = head.readUInt32BE(28)
  if (head.readUInt32BE(92) === head.readUInt32BE(24) && pages * pageSize > size) {
    throw fileError(
      file,
      `is damaged (cut off: its header counts ${pages} pages, the file holds ${size / pageSize})`,
    )
  }
}

/** The pragma each check level runs (at most 10 problems are listed). */
export const INTEGRITY_PRAGMA = { full: 'integrity_check(10)', quick: 'quick_check(10)' } as const

/** What `PRAGMA integrity_check` / `quick_check` returned, as messages ('ok' when sound). */
export function integrityMessages(db: Database.Database, level: 'full' | 'quick'): string[] {
  const rows = db.pragma(INTEGRITY_PRAGMA[level], { simple: false }) as Record<string, unknown>[]
  return rows.map((r) => String(Object.values(r)[0]))
}

/** Throws the damaged-file error unless the integrity check said 'ok'. */
export function assertIntact(file: string, messages: readonly string[]): void {
  if (messages.length !== 1 || messages[0] !== 'ok') {
    throw fileError(file, `is damaged (integrity check failed: ${messages.join('; ')})`, messages)
  }
}

/**
 * The columns of the first schema that every later one keeps, by table: a file without them
 * is not readable as a project (columns later migrations added read as NULL when absent).
 */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  project: ['key', 'value'],
  runs: ['id', 'name', 'status', 'created_at', 'config', 'seed', 'app_version', 'error'],
  tags: ['run_id', 'tag'],
  metrics: ['run_id', 'key', 'step', 'wall_time', 'value'],
  artifacts: ['id', 'run_id', 'kind', 'name', 'meta', 'dtype', 'shape', 'data', 'bytes'],
}

function checkColumns(file: string, db: Database.Database): void {
  for (const [table, required] of Object.entries(REQUIRED_COLUMNS)) {
    const present = new Set(
      (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name.toLowerCase()),
    )
    const missing = required.filter((c) => !present.has(c))
    if (missing.length > 0) {
      throw fileError(
        file,
        `is damaged or not a Basiscope project (table ${table} has no column ${missing.join(', ')})`,
      )
    }
  }
}

export function checkTables(file: string, db: Database.Database, version: number): void {
  const present = new Set(
    (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]
    ).map((n) => n.toLowerCase()),
  )
  const missing = REQUIRED_TABLES.filter((t) => !present.has(t))
  if (version === 0) {
    throw fileError(
      file,
      missing.length > 0
        ? `is an SQLite database but not a Basiscope project (missing tables: ${missing.join(', ')})`
        : 'is not a Basiscope project (no schema version)',
    )
  }
  if (missing.length > 0) {
    throw fileError(
      file,
      `is damaged or not a Basiscope project (missing tables: ${missing.join(', ')})`,
    )
  }
  checkColumns(file, db)
  const keys = db
    .prepare("SELECT key FROM project WHERE key IN ('id', 'name') AND typeof(value) = 'text'")
    .pluck()
    .all()
  if (keys.length !== 2) throw fileError(file, 'is damaged (the project has no id or no name)')
}

/** Opens an existing database file; a failure is an error naming the file. */
export function openDatabase(file: string, options: Database.Options = {}): Database.Database {
  try {
    return new Database(file, { ...options, fileMustExist: true })
  } catch (e) {
    throw sqliteFileError(file, e)
  }
}

/** Runs `read` on a read-only connection to `file`; SQLite errors name the file. */
export function withReadOnly<T>(file: string, read: (db: Database.Database) => T): T {
  const db = openDatabase(file, { readonly: true })
  try {
    return read(db)
  } catch (e) {
    if (e instanceof BasiscopeError) throw e
    throw sqliteFileError(file, e)
  } finally {
    db.close()
  }
}

/** The file's schema version, if this Basiscope can read it. */
export function checkVersion(file: string, db: Database.Database, known: number): number {
  const version = schemaVersion(db)
  if (version < 0) throw fileError(file, `has an invalid schema version ${version}`)
  if (version > known) throw fileError(file, newerSchemaProblem(version, known))
  return version
}

/**
 * Validates a project file: it exists, starts with the SQLite header, opens, passes the
 * integrity check, has a schema version this Basiscope knows, and has the required tables.
 * Every failure is a `fileError` naming the file and the problem. Nothing is written.
 * (sqlite-thread.ts has the same checks with the integrity check off the event loop.)
 */
export function validateProjectFile(file: string, options: ValidateOptions = {}): ProjectFileFacts {
  const known = options.knownVersion ?? SCHEMA_VERSION
  checkHeader(file)
  return withReadOnly(file, (db) => {
    const version = checkVersion(file, db, known)
    const level = options.check ?? 'full'
    if (level !== 'none') assertIntact(file, integrityMessages(db, level))
    checkTables(file, db, version)
    return { schemaVersion: version }
  })
}

/** What a column must hold: JSON text, text, or an integer; `null` when it may be NULL. */
type ColumnRule = readonly [
  column: string,
  kind: 'json' | 'text' | 'integer' | 'status',
  nullable: boolean,
]

/** The columns of each table whose content the app reads, and what they must hold. */
const ROW_RULES: Readonly<Record<string, { what: string; rules: readonly ColumnRule[] }>> = {
  runs: {
    what: 'run',
    rules: [
      ['name', 'text', false],
      ['status', 'status', false],
      ['created_at', 'text', false],
      ['config', 'json', false],
      ['seed', 'integer', false],
      ['app_version', 'text', false],
      ['notes', 'text', false],
      ['config_summary', 'json', false],
      ['key_metrics', 'json', false],
      ['summary', 'json', true],
    ],
  },
  artifacts: {
    what: 'artifact',
    rules: [
      ['kind', 'text', false],
      ['name', 'text', false],
      ['meta', 'json', false],
      ['shape', 'json', true],
    ],
  },
  tags: { what: 'tag of run', rules: [['tag', 'text', false]] },
}

function violation([column, kind, nullable]: ColumnRule): string {
  const bad =
    kind === 'json'
      ? `typeof(${column}) != 'text' OR json_valid(${column}) = 0`
      : kind === 'status'
        ? `${column} NOT IN (${runStatusSchema.options.map((o) => `'${o}'`).join(', ')})`
        : `typeof(${column}) != '${kind}'`
  return nullable ? `(${column} IS NOT NULL AND (${bad}))` : `(${column} IS NULL OR ${bad})`
}

const EXPECTED = {
  json: 'valid JSON',
  text: 'text',
  integer: 'an integer',
  status: 'a run status',
} as const

/**
 * Checks every row the app reads (run records, artifact metadata, tags) and that every row
 * belongs to a row that exists: a file that passes opens with every run readable. The first
 * problem is an error naming the file, the row and the column. Reads only.
 */
export function checkRows(file: string, db: Database.Database): void {
  const columnsOf = (table: string) =>
    new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name))
  for (const [table, { what, rules }] of Object.entries(ROW_RULES)) {
    const present = columnsOf(table)
    const key = table === 'tags' ? 'run_id' : 'id'
    for (const rule of rules.filter(([column]) => present.has(column))) {
      const id = db
        .prepare(`SELECT ${key} FROM ${table} WHERE ${violation(rule)} LIMIT 1`)
        .pluck()
        .get()
      if (id !== undefined) {
        throw fileError(
          file,
          `is damaged: ${what} ${String(id)} has a ${table}.${rule[0]} that is not ${EXPECTED[rule[1]]}`,
        )
      }
    }
  }
  const orphan = db.pragma('foreign_key_check', { simple: false }) as {
    table: string
    rowid: number
    parent: string
  }[]
  if (orphan.length > 0) {
    const o = orphan[0]
    throw fileError(
      file,
      `is damaged: row ${o.rowid} of ${o.table} refers to a row of ${o.parent} that does not exist`,
    )
  }
}
