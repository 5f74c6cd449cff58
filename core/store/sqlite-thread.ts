import fs from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { fileError } from '../errors.ts'
import { checkReplaceable, vacuumCopy } from './backup.ts'
import { existingSidecars, removeDbFile, tempPathFor } from './files.ts'
import { SCHEMA_VERSION } from './migrations.ts'
import {
  type IntegrityCheckLevel,
  INTEGRITY_PRAGMA,
  type ProjectFileFacts,
  assertIntact,
  checkHeader,
  checkTables,
  checkVersion,
  integrityMessages,
  sqliteFileError,
  withReadOnly,
} from './validate.ts'

/**
 * SQLite work that reads a whole file in one synchronous call — `PRAGMA integrity_check`,
 * `VACUUM INTO` — takes seconds on a large project, during which a host serving the API on
 * its event loop (web mode, the Electron service process) would answer nothing. Such work
 * runs here on a worker thread with its own read-only connection. The thread's code is a
 * plain CommonJS string (the sources are TypeScript, and bundled in Electron), loading the
 * same better-sqlite3 this module resolves.
 */

/** Files up to this size are checked inline: a few milliseconds at most. */
export const INLINE_CHECK_MAX_BYTES = 4 * 1024 * 1024

const THREAD_SOURCE = `;(() => {
const { parentPort, workerData } = require('node:worker_threads')
let Database
try {
  Database = require(workerData.driver)
} catch (e) {
  return parentPort.postMessage({ unavailable: String(e && e.message) })
}
let db
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true })
  if (workerData.task === 'vacuum-into') {
    db.prepare('VACUUM INTO ?').run(workerData.dest)
    parentPort.postMessage({ messages: [] })
  } else {
    const rows = db.pragma(workerData.pragma, { simple: false })
    parentPort.postMessage({ messages: rows.map((r) => String(Object.values(r)[0])) })
  }
} catch (e) {
  parentPort.postMessage({ error: { message: String(e && e.message), code: e && e.code } })
} finally {
  if (db) db.close()
}
})()
`

let driverPath: string | null = null
function driver(): string {
  driverPath ??= createRequire(import.meta.url).resolve('better-sqlite3')
  return driverPath
}

type ThreadReply =
  | { messages: string[] }
  | { error: { message: string; code: string | undefined } }
  | { unavailable: string }

export type ThreadTask =
  { task: 'integrity'; pragma: string } | { task: 'vacuum-into'; dest: string }

/**
 * Runs one task on a worker thread; resolves with the messages it returned. Where a thread
 * cannot load the SQLite driver (a packaging that keeps it from worker threads), the task
 * runs `inline` instead: slower for the event loop, never wrong.
 */
export function runOnThread(
  file: string,
  task: ThreadTask,
  inline: () => string[],
  driverFile: string = driver(),
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const fallBack = (): void => {
      try {
        resolve(inline())
      } catch (e) {
        reject(e)
      }
    }
    let worker: Worker
    try {
      worker = new Worker(THREAD_SOURCE, {
        eval: true,
        workerData: { driver: driverFile, file, ...task },
      })
    } catch {
      return fallBack()
    }
    let settled = false
    worker.once('message', (reply: ThreadReply) => {
      settled = true
      if ('messages' in reply) resolve(reply.messages)
      else if ('unavailable' in reply) fallBack()
      else reject(sqliteFileError(file, Object.assign(new Error(reply.error.message), reply.error)))
    })
    worker.once('error', () => {
      settled = true
      fallBack()
    })
    worker.once('exit', (code) => {
      if (!settled) reject(fileError(file, `could not be read (the reader exited with ${code})`))
    })
  })
}

/** The integrity check's messages, computed on a worker thread. */
export function integrityMessagesOnThread(
  file: string,
  level: 'full' | 'quick',
): Promise<string[]> {
  return runOnThread(file, { task: 'integrity', pragma: INTEGRITY_PRAGMA[level] }, () =>
    withReadOnly(file, (db) => integrityMessages(db, level)),
  )
}

/**
 * A consistent, compact copy of a project file to `dest` by `VACUUM INTO` on a worker
 * thread: one read transaction, so writers (this process's or others') neither disturb nor
 * restart it, and the copy is at rest (rollback journal, one self-contained file). It is
 * written under a temporary name and renamed into place, so `dest` appears complete or not at
 * all. `dest` must not exist, unless `replace` (then it must not be an open database).
 */
export async function snapshotOnThread(
  file: string,
  dest: string,
  options: { replace?: boolean } = {},
): Promise<void> {
  if (options.replace) checkReplaceable(dest)
  else if (fs.existsSync(dest) || existingSidecars(dest).length > 0) {
    throw fileError(dest, 'already exists; not overwriting it')
  }
  const tmp = tempPathFor(dest)
  try {
    await runOnThread(file, { task: 'vacuum-into', dest: tmp }, () =>
      withReadOnly(file, (db) => {
        vacuumCopy(db, tmp)
        return []
      }),
    )
    fs.renameSync(tmp, dest)
  } catch (e) {
    removeDbFile(tmp)
    throw fileError(dest, `could not be written (${(e as Error).message})`, e)
  }
}

export interface CheckOptions {
  readonly check?: IntegrityCheckLevel
  /** Files up to this size are checked on the calling thread; default INLINE_CHECK_MAX_BYTES. */
  readonly inlineMaxBytes?: number
}

/**
 * `validateProjectFile` (same checks, same order, same errors) with the integrity check off
 * the event loop for large files.
 */
export async function validateProjectFileOffThread(
  file: string,
  options: CheckOptions = {},
): Promise<ProjectFileFacts> {
  checkHeader(file)
  const version = withReadOnly(file, (db) => checkVersion(file, db, SCHEMA_VERSION))
  const level = options.check ?? 'full'
  if (level !== 'none') {
    const inline = fs.statSync(file).size <= (options.inlineMaxBytes ?? INLINE_CHECK_MAX_BYTES)
    assertIntact(
      file,
      inline
        ? withReadOnly(file, (db) => integrityMessages(db, level))
        : await integrityMessagesOnThread(file, level),
    )
  }
  withReadOnly(file, (db) => checkTables(file, db, version))
  return { schemaVersion: version }
}
