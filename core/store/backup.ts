import fs from 'node:fs'
import Database from 'better-sqlite3'
import { fileError } from '../errors.ts'
import { existingSidecars, removeDbFile, tempPathFor } from './files.ts'

/** Consistent copies of an open project database. */

/** Refuses to replace a database file that is open (or was left by a crash) somewhere. */
function checkReplaceable(dest: string): void {
  const companions = existingSidecars(dest)
  if (companions.length > 0) {
    throw fileError(
      dest,
      `is in use or was not closed cleanly (${companions.map((f) => f.slice(dest.length)).join(', ')} present); close it or choose another file`,
    )
  }
}

/** Pages copied by the first backup step; each later step copies twice as many. */
const FIRST_STEP_PAGES = 256

/**
 * Puts a database file "at rest": rollback-journal mode, no -wal/-shm companions. Project
 * files are in WAL mode only while open, so a closed file is one self-contained file that a
 * read-only open leaves exactly as it was (a read-only open of a WAL-mode file creates
 * companion files it cannot remove).
 */
export function settleFile(file: string): void {
  const db = new Database(file, { fileMustExist: true })
  try {
    db.pragma('journal_mode = DELETE')
  } finally {
    db.close()
  }
}

/**
 * An online backup (SQLite's backup API through better-sqlite3's `db.backup`) to `dest`:
 * a consistent snapshot even while other connections write. A write by another connection
 * restarts SQLite's backup, so each step copies twice as many pages as the one before: the
 * event loop stays responsive for small files and the copy finishes even under a steady
 * stream of writes. The copy goes to a temporary file that is renamed over `dest` only when
 * complete, so `dest` is never left half-written.
 */
export async function onlineBackup(db: Database.Database, dest: string): Promise<void> {
  checkReplaceable(dest)
  const tmp = tempPathFor(dest)
  try {
    let pages = FIRST_STEP_PAGES / 2
    await db.backup(tmp, {
      progress: () => (pages = Math.min(pages * 2, 0x7fffffff)),
    })
    settleFile(tmp)
    fs.renameSync(tmp, dest)
  } catch (e) {
    removeDbFile(tmp)
    throw fileError(dest, `could not be written (${(e as Error).message})`, e)
  }
}

/**
 * A consistent copy through `VACUUM INTO`: synchronous (blocks while it copies), one read
 * transaction (a snapshot, unaffected by concurrent writers in WAL mode), compact, and at rest
 * (rollback-journal mode). `dest` must not exist; on failure nothing is left behind.
 */
export function vacuumCopy(db: Database.Database, dest: string): void {
  if (fs.existsSync(dest) || existingSidecars(dest).length > 0) {
    throw fileError(dest, 'already exists; not overwriting it')
  }
  try {
    db.prepare('VACUUM INTO ?').run(dest)
  } catch (e) {
    removeDbFile(dest)
    throw fileError(dest, `could not be written (${(e as Error).message})`, e)
  }
}

/** Like `onlineBackup`, but to a new file: `dest` must not exist (a copy, a backup). */
export async function onlineCopy(db: Database.Database, dest: string): Promise<void> {
  if (fs.existsSync(dest) || existingSidecars(dest).length > 0) {
    throw fileError(dest, 'already exists; not overwriting it')
  }
  await onlineBackup(db, dest)
}
