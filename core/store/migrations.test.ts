import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import {
  MIGRATIONS,
  REQUIRED_TABLES,
  SCHEMA_VERSION,
  migrate,
  runMigrations,
} from './migrations.ts'
import type { Migration } from './migrations.ts'
import { sha256 } from '../../test/helpers/store-fixtures.ts'
import { thrown } from '../../test/helpers/errors.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-store-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let counter = 0
function newFile(): string {
  return path.join(dir, `m${++counter}.db`)
}

const m1: Migration = {
  id: '2026-01-01-notes',
  up(db) {
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)')
  },
}
const m2: Migration = {
  id: '2026-02-01-note-stars',
  up(db) {
    db.exec('ALTER TABLE notes ADD COLUMN stars INTEGER NOT NULL DEFAULT 0')
  },
}

describe('migrations', () => {
  it('are named by date, in order', () => {
    expect(MIGRATIONS[0].id).toBe('2026-11-25-initial')
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length)
    const ids = MIGRATIONS.map((m) => m.id)
    expect(ids).toEqual([...ids].sort())
  })

  it('create the initial schema on a new file and record the version', () => {
    const file = newFile()
    const db = new Database(file)
    const result = migrate(db, file)
    expect(result).toEqual({ from: 0, to: SCHEMA_VERSION, backup: null })
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
      .pluck()
      .all() as string[]
    for (const t of REQUIRED_TABLES) expect(tables).toContain(t)
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").pluck().all()
    expect(indexes).toContain('metrics_by_run_key_step')
    // The status CHECK constraint is there.
    expect(() =>
      db
        .prepare(
          "INSERT INTO runs (name, status, created_at, config, seed, app_version) VALUES ('r', 'bogus', 't', '{}', 1, 'v')",
        )
        .run(),
    ).toThrow(/CHECK constraint/)
    // Running again is a no-op.
    expect(migrate(db, file)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, backup: null })
    db.close()
    expect(fs.readdirSync(dir).filter((f) => f.includes('backup'))).toEqual([])
  })

  it('refuse a file from a newer Basiscope and change nothing', () => {
    const file = newFile()
    const setup = new Database(file)
    setup.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('keep')")
    setup.pragma('user_version = 7')
    setup.close()
    const before = sha256(file)
    const db = new Database(file)
    const err = thrown(() => runMigrations(db, file, [m1, m2]))
    db.close()
    expect(err).toBeInstanceOf(BasiscopeError)
    expect(err.code).toBe('INVALID_FILE')
    expect(err.where).toBe(file)
    expect(err.message).toBe(
      `${file}: was written by a newer Basiscope (schema version 7, this one knows up to 2); update Basiscope to open it`,
    )
    expect(sha256(file)).toBe(before)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(file)))).toEqual([
      path.basename(file),
    ])
  })

  it('back up a file with data before migrating it, and not a new one', () => {
    const file = newFile()
    let db = new Database(file)
    expect(runMigrations(db, file, [m1]).backup).toBeNull() // new file: nothing to back up
    db.prepare("INSERT INTO notes (text) VALUES ('first')").run()
    db.close()

    db = new Database(file)
    const result = runMigrations(db, file, [m1, m2])
    expect(result.from).toBe(1)
    expect(result.to).toBe(2)
    expect(result.backup).not.toBeNull()
    const backup = result.backup as string
    expect(path.dirname(backup)).toBe(dir)
    expect(path.basename(backup)).toMatch(
      new RegExp(
        `^${path.basename(file).replace('.', '\\.')}\\.backup-v1-\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z$`,
      ),
    )
    expect(db.pragma('user_version', { simple: true })).toBe(2)
    expect(db.prepare('SELECT text, stars FROM notes').all()).toEqual([{ text: 'first', stars: 0 }])
    db.close()

    const old = new Database(backup, { readonly: true })
    expect(old.pragma('user_version', { simple: true })).toBe(1)
    expect(old.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(old.prepare('SELECT * FROM notes').all()).toEqual([{ id: 1, text: 'first' }])
    old.close()
  })

  it('run each migration in its own transaction: a failure keeps the last good version', () => {
    const file = newFile()
    let db = new Database(file)
    runMigrations(db, file, [m1])
    db.prepare("INSERT INTO notes (text) VALUES ('kept')").run()
    db.close()
    const broken: Migration = {
      id: '2026-03-01-broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x)')
        throw new Error('boom')
      },
    }
    db = new Database(file)
    const err = thrown(() => runMigrations(db, file, [m1, m2, broken]))
    expect(err.message).toMatch(
      /could not be upgraded by migration 2026-03-01-broken \(boom\); it stays at schema version 2; a copy from before the upgrade is in .*backup-v1-/,
    )
    expect(db.pragma('user_version', { simple: true })).toBe(2)
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()
    expect(tables).not.toContain('half_done')
    expect(db.prepare('SELECT text, stars FROM notes').all()).toEqual([{ text: 'kept', stars: 0 }])
    db.close()
  })

  it('refuse a malformed migration list', () => {
    const file = newFile()
    const db = new Database(file)
    expect(thrown(() => runMigrations(db, file, [m2, m1])).code).toBe('INTERNAL')
    expect(thrown(() => runMigrations(db, file, [{ id: 'initial', up() {} }])).code).toBe(
      'INTERNAL',
    )
    expect(db.pragma('user_version', { simple: true })).toBe(0)
    db.close()
  })
})
