import path from 'node:path'
import { onlineCopy } from './backup.ts'
import { type CheckOptions, validateProjectFileOffThread } from './integrity-thread.ts'
import { SCHEMA_VERSION, backupPath } from './migrations.ts'
import { type SqliteProjectStore, openProject } from './project-store.ts'
import { openDatabase } from './validate.ts'

/**
 * Opening a project without blocking the event loop for long: `openProject`'s checks with the
 * integrity check off the thread for large files, and the copy made before migrating an older
 * file taken with the online backup API (which yields between steps) instead of `VACUUM INTO`.
 * The app's hosts open projects only through here; `openProject` stays for one-shot tools.
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
  const facts = await validateProjectFileOffThread(abs, options)
  if (options.readonly) return openProject(abs, { readonly: true, check: 'none' })
  const older = facts.schemaVersion >= 1 && facts.schemaVersion < SCHEMA_VERSION
  if (older && options.backupBeforeMigrate !== false) await backUp(abs, facts.schemaVersion)
  return openProject(abs, { check: 'none', backupBeforeMigrate: false })
}

/** The copy of a file with data kept before it is migrated (see `runMigrations`). */
async function backUp(file: string, version: number): Promise<void> {
  const db = openDatabase(file, { readonly: true })
  try {
    await onlineCopy(db, backupPath(file, version))
  } finally {
    db.close()
  }
}
