import type Database from 'better-sqlite3'
import { BasiscopeError, fileError } from '../errors.ts'
import { openDatabase, sqliteFileError } from './validate.ts'

/** The connection to one project file and what every table's code shares on it. */

/** How long a connection waits for another one's write lock before giving up. */
export const BUSY_TIMEOUT_MS = 5000

export function invalidArgument(message: string, where?: string): BasiscopeError {
  return new BasiscopeError('INVALID_ARGUMENT', message, where)
}

/** A trimmed, non-empty name, or an error naming the field. */
export function nonEmptyName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidArgument(`${what} must be a non-empty string`, what)
  }
  return value.trim()
}

export function now(): string {
  return new Date().toISOString()
}

/** Opens a validated project file for reading and writing, with the connection settings. */
export function openReadWrite(file: string): Database.Database {
  const db = openDatabase(file, { timeout: BUSY_TIMEOUT_MS })
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

/** An open project database with a cache of prepared statements, shared by its tables' code. */
export class Connection {
  private readonly statements = new Map<string, Database.Statement>()

  constructor(
    readonly db: Database.Database,
    /** The project file, for error messages. */
    readonly path: string,
  ) {}

  /** A prepared statement, prepared once per connection. */
  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql)
    if (!s) {
      s = this.db.prepare(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  notFound(what: string, id: number): BasiscopeError {
    return new BasiscopeError(
      'NOT_FOUND',
      `${what} ${id} does not exist in ${this.path}`,
      this.path,
    )
  }

  requireRun(id: number): void {
    if (this.stmt('SELECT 1 FROM runs WHERE id = ?').get(id) === undefined) {
      throw this.notFound('run', id)
    }
  }
}
