import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { onlineBackup, onlineCopy, settleFile, vacuumCopy } from './backup.ts'

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
  it('online backup produces a complete file at rest', async () => {
    const src = path.join(dir, 'src1.db')
    const db = walDatabase(src)
    const dest = path.join(dir, 'dest1.db')
    await onlineBackup(db, dest)
    db.close()
    expect(readBack(dest)).toEqual({ rows: [1, 2], version: 3, mode: 'delete' })
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('dest1'))).toEqual(['dest1.db'])
  })

  it('a failed online backup leaves nothing behind', async () => {
    const db = walDatabase(path.join(dir, 'src2.db'))
    const dest = path.join(dir, 'no-such-folder', 'dest.db')
    await expect(onlineBackup(db, dest)).rejects.toThrow(`${dest}: could not be written`)
    db.close()
    expect(fs.existsSync(path.dirname(dest))).toBe(false)
  })

  it('VACUUM INTO copies keep the schema version and refuse to overwrite', () => {
    const db = walDatabase(path.join(dir, 'src3.db'))
    const dest = path.join(dir, 'dest3.db')
    vacuumCopy(db, dest)
    expect(readBack(dest)).toEqual({ rows: [1, 2], version: 3, mode: 'delete' })
    expect(() => vacuumCopy(db, dest)).toThrow(`${dest}: already exists; not overwriting it`)
    db.close()
  })

  it('online copies make a new file and refuse to overwrite', async () => {
    const db = walDatabase(path.join(dir, 'src5.db'))
    const dest = path.join(dir, 'dest5.db')
    await onlineCopy(db, dest)
    expect(readBack(dest)).toEqual({ rows: [1, 2], version: 3, mode: 'delete' })
    await expect(onlineCopy(db, dest)).rejects.toThrow(
      `${dest}: already exists; not overwriting it`,
    )
    db.close()
  })

  it('refuses to replace a database that is in use', async () => {
    const db = walDatabase(path.join(dir, 'src4.db'))
    const busyFile = path.join(dir, 'busy.db')
    const busy = walDatabase(busyFile) // open, with a -wal file
    await expect(onlineBackup(db, busyFile)).rejects.toThrow(
      /is in use or was not closed cleanly \(-wal/,
    )
    expect(busy.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2)
    busy.close()
    db.close()
  })

  it('settles a WAL file back to one self-contained file', () => {
    const file = path.join(dir, 'settle.db')
    walDatabase(file).close()
    const header = (): number[] => Array.from(fs.readFileSync(file).subarray(18, 20))
    expect(header()).toEqual([2, 2])
    settleFile(file)
    expect(header()).toEqual([1, 1])
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('settle'))).toEqual(['settle.db'])
  })
})
