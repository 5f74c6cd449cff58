import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { vacuumCopy } from './backup.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-store-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function walDatabase(file: string): Database.Database {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)')
  db.pragma('user_version = 3')
  return db
}

function readBack(file: string): { rows: unknown[]; version: unknown; mode: unknown } {
  const db = new Database(file, { readonly: true })
  try {
    return {
      rows: db.prepare('SELECT x FROM t').pluck().all(),
      version: db.pragma('user_version', { simple: true }),
      mode: db.pragma('journal_mode', { simple: true }),
    }
  } finally {
    db.close()
  }
}

describe('backups', () => {
  it('VACUUM INTO copies keep the schema version and refuse to overwrite', () => {
    const db = walDatabase(path.join(dir, 'src3.db'))
    const dest = path.join(dir, 'dest3.db')
    vacuumCopy(db, dest)
    expect(readBack(dest)).toEqual({ rows: [1, 2], version: 3, mode: 'delete' })
    expect(() => vacuumCopy(db, dest)).toThrow(`${dest}: already exists; not overwriting it`)
    db.close()
  })
})
