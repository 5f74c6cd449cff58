import fs from 'node:fs'
import type Database from 'better-sqlite3'
import { fileError } from '../errors.ts'
import { existingSidecars, removeDbFile } from './files.ts'

/**
 * Consistent copies of a project database made on the calling thread (the backup before a
 * migration when a file is opened synchronously). The app's copies run on a worker thread:
 * `snapshotOnThread` in sqlite-thread.ts.
 */

/** Refuses to replace a database file that is open (or was left by a crash) somewhere. */
export function checkReplaceable(dest: string): void {
  const companions = existingSidecars(dest)
  if (companions.length > 0) {
    throw fileError(
      dest,
      `is in use or was not closed cleanly (${companions.map((f) => f.slice(dest.length)).join(', ')} present); close it or choose another file`,
    )
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
