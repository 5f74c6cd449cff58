import fs from 'node:fs'
import Database from 'better-sqlite3'
import { BasiscopeError, fileError } from '../errors.ts'
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
  const keys = db.prepare("SELECT key FROM project WHERE key IN ('id', 'name')").pluck().all()
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
