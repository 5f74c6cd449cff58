import path from 'node:path'
import {
  type CheckOptions,
  snapshotOnThread,
  validateProjectFileOffThread,
} from './sqlite-thread.ts'
import { SCHEMA_VERSION, backupPath } from './migrations.ts'
import { rollBackUnfinishedWrite } from './settle.ts'
import { type SqliteProjectStore, openProject } from './project-store.ts'

/**
 * Opening a project without blocking the event loop for long: `openProject`'s checks with the
 * integrity check off the thread for large files, and the copy made before migrating an older
 * file (`VACUUM INTO`) on a worker thread.
 * The app's hosts open projects only through here; `openProject` stays for one-shot tools.
 * Opening for writing first rolls back a write a killed program left unfinished, once a
 * rolled-back copy proved sound (settle.ts); a read-only open never writes (to read a file
 * that cannot be read in place, use `withReadable`).
 */
export async function openProjectAsync(
  file: string,
  options: CheckOptions & {
    readonly readonly?: boolean
    /** Copy a file with data before migrating it; default true (false for fresh copies). */
    readonly backupBeforeMigrate?: boolean
  } = {},
): Promise<SqliteProjectStore> {
  const abs = path.resolve(file)
  if (!options.readonly) {
    await rollBackUnfinishedWrite(abs, (copy) => validateProjectFileOffThread(copy, options))
  }
  const facts = await validateProjectFileOffThread(abs, options)
  if (options.readonly) return openProject(abs, { readonly: true, check: 'none' })
  const older = facts.schemaVersion >= 1 && facts.schemaVersion < SCHEMA_VERSION
  if (older && options.backupBeforeMigrate !== false) {
    await snapshotOnThread(abs, backupPath(abs, facts.schemaVersion))
  }
  return openProject(abs, { check: 'none', backupBeforeMigrate: false })
}
