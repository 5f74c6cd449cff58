import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { BasiscopeError, fileError } from '../errors.ts'
import { checkHeader, unfinishedJournal, unfinishedWriteProblem } from './validate.ts'

/**
 * Reading a project file without writing anything beside it. Two states of a file make
 * SQLite write even on a read-only connection, or refuse to read:
 * - an unfinished write: a `-journal` left by a program that stopped while writing the file
 *   in rollback-journal mode. A reader must roll it back first; a read-only one cannot
 *   ("attempt to write a readonly database").
 * - write-ahead-log mode at rest: the header says WAL but no `-wal`/`-shm` exist (nobody has
 *   it open). A reader creates both, and a read-only one leaves them behind.
 * Such a file is read from a settled private copy (in the temp folder): the copy is rolled
 * back or taken out of WAL mode, and the file itself is never touched.
 */

/** Whether the header says write-ahead-log mode while no `-wal`/`-shm` exist. */
export function walWithoutLog(file: string): boolean {
  if (fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-shm`)) return false
  try {
    if (!fs.statSync(file).isFile()) return false
    const fd = fs.openSync(file, 'r')
    try {
      const versions = Buffer.alloc(2)
      // Bytes 18 and 19: the file format write/read versions, 2 in WAL mode.
      return fs.readSync(fd, versions, 0, 2, 18) === 2 && (versions[0] === 2 || versions[1] === 2)
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return false
  }
}

/** Whether reading `file` in place writes nothing beside it. */
export function readsInPlace(file: string): boolean {
  return unfinishedJournal(file) === null && !walWithoutLog(file)
}

/** The same error about `from`, said about `to` (a copy's error, about the file it copies). */
function renamed(e: unknown, from: string, to: string): unknown {
  if (!(e instanceof BasiscopeError)) return e
  return new BasiscopeError(
    e.code,
    e.message.replaceAll(from, to),
    e.where === from ? to : e.where,
    e.details,
  )
}

/** Runs one pragma on a read-write connection: SQLite rolls back an unfinished write first. */
function writeAccess(file: string, pragma: string): void {
  const db = new Database(file, { fileMustExist: true })
  try {
    db.pragma(pragma)
  } finally {
    db.close()
  }
}

/** Copies `file` (and its unfinished journal) into `dir` and settles the copy; returns it. */
function settledCopy(file: string, dir: string): string {
  const copy = path.join(dir, path.basename(file))
  const journal = unfinishedJournal(file)
  fs.copyFileSync(file, copy)
  if (journal) fs.copyFileSync(journal, `${copy}-journal`)
  try {
    // Rolls an unfinished write back (SQLite does on the first read) and leaves WAL mode.
    writeAccess(copy, 'journal_mode = DELETE')
  } catch (e) {
    const what = journal ? ` after rolling back the unfinished write in ${journal}` : ''
    throw fileError(file, `is damaged: it cannot be read${what} (${(e as Error).message})`, e)
  }
  return copy
}

/** A path that reads like `file` without writing beside it, and how to let go of it. */
function readableForm(file: string): { readable: string; release(): void } {
  if (readsInPlace(file)) return { readable: file, release: () => {} }
  checkHeader(file)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-settle-'))
  const release = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    return { readable: settledCopy(file, dir), release }
  } catch (e) {
    release()
    throw e
  }
}

/**
 * Runs `read` on a file that reads like `file` without writing beside it: `file` itself when
 * it reads in place, else a settled private copy (removed afterwards). Errors about the copy
 * name `file`.
 */
export async function withReadable<T>(
  file: string,
  read: (readable: string) => Promise<T>,
): Promise<T> {
  const { readable, release } = readableForm(file)
  try {
    return await read(readable)
  } catch (e) {
    throw renamed(e, readable, file)
  } finally {
    release()
  }
}

/** `withReadable` for a synchronous read (a workspace listing). */
export function withReadableSync<T>(file: string, read: (readable: string) => T): T {
  const { readable, release } = readableForm(file)
  try {
    return read(readable)
  } catch (e) {
    throw renamed(e, readable, file)
  } finally {
    release()
  }
}

/**
 * Before `file` is opened for writing: an unfinished write is rolled back in place (as any
 * SQLite writer would), but only once a rolled-back copy proved to be a sound project
 * (`check`), so a file that is not one is never changed. Where it cannot be rolled back (a
 * folder or file that is not writable) the error names the journal and what to do.
 */
export async function rollBackUnfinishedWrite(
  file: string,
  check: (readable: string) => Promise<unknown>,
): Promise<void> {
  const journal = unfinishedJournal(file)
  if (journal === null) return
  await withReadable(file, check)
  try {
    writeAccess(file, 'schema_version')
  } catch (e) {
    throw fileError(file, unfinishedWriteProblem(journal, (e as Error).message), e)
  }
  if (unfinishedJournal(file) !== null) {
    throw fileError(file, unfinishedWriteProblem(journal, 'SQLite left the journal in place'))
  }
}
