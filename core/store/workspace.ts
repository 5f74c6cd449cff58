import fs from 'node:fs'
import path from 'node:path'
import type { ProjectInfo } from '../api/records.ts'
import { BasiscopeError, fileError } from '../errors.ts'
import { removeDbFile, sidecarsOf, uniquePath } from './files.ts'
import { copyNames, distinctName, numberedNames, slugify } from './names.ts'
import { openProjectAsync } from './open-async.ts'
import { snapshotOnThread } from './sqlite-thread.ts'
import { PROJECT_EXTENSION, createProject, openProject } from './project-store.ts'
import { RecentList } from './recents.ts'
import { withReadable, withReadableSync } from './settle.ts'
import { checkRows, withReadOnly } from './validate.ts'
import type { RecentProject } from './recents.ts'
import { Trash, moveDbFile, trashedAt } from './trash.ts'
import { errorMessage } from '../data/checks.ts'

/** A project in a workspace listing; `error` says why an unreadable file could not be read. */
export type WorkspaceProject = ProjectInfo & { error?: string }

/** A project in the trash, with when it was deleted (ISO time). */
export type TrashedProject = WorkspaceProject & { readonly trashedAt: string }

export interface DeleteOptions {
  /** Move to `<workspace>/.trash/` (true) or delete for good (false; the caller confirms). */
  readonly toTrash: boolean
}

export const RECENT_FILE = 'recent.json'

/**
 * A folder of project files (`*.basiscope`) plus the list of recently opened projects
 * (`recent.json` in the folder). Operations that change a project file (rename, delete)
 * expect it not to be open elsewhere.
 */
export class Workspace {
  readonly dir: string
  private readonly recents: RecentList
  private readonly trash: Trash

  constructor(dir: string) {
    this.dir = path.resolve(dir)
    this.recents = new RecentList(path.join(this.dir, RECENT_FILE))
    this.trash = new Trash(this.dir)
  }

  private ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true })
  }

  /** The absolute path of a project file of this workspace, or an error. */
  private own(file: string): string {
    const abs = path.resolve(this.dir, file)
    if (path.dirname(abs) !== this.dir || !abs.endsWith(PROJECT_EXTENSION)) {
      throw new BasiscopeError(
        'INVALID_ARGUMENT',
        `${abs} is not a project file of the workspace ${this.dir}`,
        abs,
      )
    }
    if (!fs.existsSync(abs)) throw fileError(abs, 'does not exist')
    return abs
  }

  private freePath(name: string): string {
    return uniquePath(this.dir, slugify(name), PROJECT_EXTENSION)
  }

  /**
   * Every `*.basiscope` file in the folder, by name (then creation time). A file that cannot be read is listed
   * with `error` set (and placeholder fields) instead of failing the list. Listing checks the
   * header, schema and tables but skips the full integrity check, which opening does.
   */
  list(): WorkspaceProject[] {
    let names: fs.Dirent[]
    try {
      names = fs.readdirSync(this.dir, { withFileTypes: true })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw fileError(this.dir, `cannot be listed (${errorMessage(e)})`, e)
    }
    const projects = names
      .filter((d) => d.isFile() && d.name.endsWith(PROJECT_EXTENSION))
      .map((d) => this.describe(path.join(this.dir, d.name)))
    const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
    return projects.sort(
      (a, b) =>
        a.name.localeCompare(b.name) || byCode(a.createdAt, b.createdAt) || byCode(a.path, b.path),
    )
  }

  private describe(file: string): WorkspaceProject {
    try {
      // A file that cannot be read in place (an unfinished write, WAL mode at rest) is
      // described from a settled private copy: listing never writes beside a file.
      return withReadableSync(file, (readable) => {
        const store = openProject(readable, { readonly: true, check: 'none' })
        try {
          return { ...store.info(), path: file }
        } finally {
          store.close()
        }
      })
    } catch (e) {
      let mtime = ''
      try {
        mtime = fs.statSync(file).mtime.toISOString()
      } catch {
        // gone meanwhile
      }
      return {
        path: file,
        id: '',
        name: path.basename(file, PROJECT_EXTENSION),
        createdAt: '',
        lastActivity: mtime,
        runCount: 0,
        schemaVersion: 0,
        notes: '',
        notesUpdatedAt: null,
        error: errorMessage(e),
      }
    }
  }

  /** Creates a project; its file name is a unique slug of the name. Returns its path. */
  create(name: string): string {
    this.ensureDir()
    for (let attempt = 0; ; attempt++) {
      const file = this.freePath(name)
      try {
        createProject(file, name).close()
        return file
      } catch (e) {
        // Another process took the name between the check and the creation: try the next.
        if (attempt < 5 && e instanceof BasiscopeError && /already exists/.test(e.message)) continue
        throw e
      }
    }
  }

  /**
   * Renames a project (its stored name) and its file (to a unique slug of the new name).
   * If the file is still open elsewhere it keeps its file name. Returns the file's path.
   */
  async rename(file: string, name: string): Promise<string> {
    const abs = this.own(file)
    const store = await openProjectAsync(abs, { check: 'quick' })
    try {
      store.rename(name)
    } finally {
      store.close()
    }
    const newName = name.trim()
    const openElsewhere = sidecarsOf(abs).some((f) => fs.existsSync(f))
    let dest = abs
    if (!openElsewhere && path.basename(abs) !== `${slugify(newName)}${PROJECT_EXTENSION}`) {
      dest = this.freePath(newName)
      fs.renameSync(abs, dest)
    }
    this.recents.move(abs, dest, newName)
    return dest
  }

  /**
   * A consistent copy (a snapshot on a worker thread, safe while the project is being
   * written) of a project under a new name and a new project id. Without a name it is called
   * "<name> (copy)", or "<name> (copy 2)", … whichever no project has yet. Returns its path.
   */
  async duplicate(file: string, newName?: string): Promise<string> {
    const abs = this.own(file)
    const source = await this.checkedInfo(abs)
    const name = newName?.trim() || distinctName(copyNames(source.name), this.names())
    const dest = this.freePath(name)
    await snapshotOnThread(abs, dest)
    await this.settleCopy(dest, { name, renewId: true })
    return dest
  }

  /**
   * Deletes a project: moves it to `<workspace>/.trash/` with a timestamp in its name (and
   * returns the new path), or removes it for good when `toTrash` is false (returns null). A
   * project already in the trash can only be removed for good.
   */
  delete(file: string, options: DeleteOptions): string | null {
    if (path.dirname(path.resolve(this.dir, file)) === this.trash.dir) {
      if (options.toTrash) {
        throw new BasiscopeError('INVALID_ARGUMENT', `${file} is already in the trash`, file)
      }
      this.trash.purge(file)
      return null
    }
    const abs = this.own(file)
    const trashed = options.toTrash ? this.trash.put(abs) : null
    if (!options.toTrash) removeDbFile(abs)
    this.recents.remove(abs)
    return trashed
  }

  /** The projects in the trash, most recently deleted first. */
  trashed(): TrashedProject[] {
    return this.trash
      .files()
      .map((file) => ({ ...this.describe(file), trashedAt: trashedAt(file) }))
  }

  /**
   * Moves a project from the trash back into the workspace (file name: a free slug of its
   * name). If another project has taken its name or id meanwhile, it becomes "<name> (2)"
   * or gets a new id. Returns its new path.
   */
  async restore(trashFile: string): Promise<string> {
    const abs = this.trash.own(trashFile)
    const info = this.describe(abs)
    if (info.error !== undefined) throw fileError(abs, `cannot be restored: ${info.error}`)
    const dest = this.freePath(info.name)
    moveDbFile(abs, dest)
    await this.makeDistinct(dest, info, { removeOnFailure: false })
    return dest
  }

  /**
   * Copies a project file from elsewhere into the workspace (a snapshot). The source is
   * fully validated (read-only) first; if it is not a sound project nothing is created. A
   * name another project has becomes "<name> (2)", …; an id another project has is renewed.
   * Returns the new path.
   */
  async importProject(src: string): Promise<string> {
    // Nothing beside the source is created or changed: a source that cannot be read in place
    // (an unfinished write, WAL mode at rest) is read from a settled private copy.
    return withReadable(path.resolve(src), async (source) => {
      const info = await this.checkedInfo(source, { rows: true })
      this.ensureDir()
      const dest = this.freePath(info.name)
      await snapshotOnThread(source, dest)
      await this.makeDistinct(dest, info, { removeOnFailure: true })
      return dest
    })
  }

  /** A consistent copy (online backup) of a project to `dest`, even while it is being written. */
  async exportProject(file: string, dest: string): Promise<void> {
    const store = await openProjectAsync(path.resolve(this.dir, file), { readonly: true })
    try {
      await store.exportTo(dest)
    } finally {
      store.close()
    }
  }

  /** The path of the workspace's (or a recent) project with this id, or null. */
  findById(id: string): string | null {
    const listed = this.list().find((p) => p.error === undefined && p.id === id)
    if (listed) return listed.path
    const recent = this.recents
      .list()
      .filter((r) => r.exists)
      .find((r) => this.describe(r.path).id === id)
    return recent?.path ?? null
  }

  /**
   * A project's facts after the full check (off the event loop), read-only; with `rows`, every
   * row the app reads is checked too (an import takes in only files whose runs all read).
   */
  private async checkedInfo(file: string, check: { rows?: boolean } = {}): Promise<ProjectInfo> {
    const store = await openProjectAsync(file, { readonly: true })
    try {
      if (check.rows) withReadOnly(file, (db) => checkRows(file, db))
      return store.info()
    } finally {
      store.close()
    }
  }

  /** Names of the workspace's projects, but for the file `except`. */
  private names(except?: string): string[] {
    return this.list()
      .filter((p) => p.path !== except && p.error === undefined)
      .map((p) => p.name)
  }

  /** Renames and renews the id of a copied-in project whose name or id is taken. */
  private async makeDistinct(
    dest: string,
    info: ProjectInfo,
    options: { removeOnFailure: boolean },
  ): Promise<void> {
    const others = this.list().filter((p) => p.path !== dest && p.error === undefined)
    const name = distinctName(
      numberedNames(info.name),
      others.map((p) => p.name),
    )
    const renewId = others.some((p) => p.id === info.id)
    await this.settleCopy(dest, { name: name === info.name ? undefined : name, renewId }, options)
  }

  /**
   * Brings a copy to this Basiscope's schema (its source is the backup) and gives it its own
   * name and id. A copy that cannot be settled is removed unless told otherwise.
   */
  private async settleCopy(
    dest: string,
    change: { name?: string; renewId: boolean },
    options: { removeOnFailure: boolean } = { removeOnFailure: true },
  ): Promise<void> {
    try {
      // A fresh copy needs no backup before it is migrated (its source is one); a restored
      // file is the only one there is.
      const copy = await openProjectAsync(dest, {
        check: 'none',
        backupBeforeMigrate: !options.removeOnFailure,
      })
      try {
        if (change.name !== undefined) copy.rename(change.name)
        if (change.renewId) copy.renewId()
      } finally {
        copy.close()
      }
    } catch (e) {
      if (options.removeOnFailure) removeDbFile(dest)
      throw e
    }
  }

  /** Records that a project was opened (most recent first, at most 20 kept). */
  addRecent(file: string): void {
    const abs = path.resolve(file)
    let name = path.basename(abs, PROJECT_EXTENSION)
    try {
      const store = openProject(abs, { readonly: true, check: 'none' })
      try {
        name = store.info().name
      } finally {
        store.close()
      }
    } catch {
      // keep the file name
    }
    this.recents.add(abs, name)
  }

  /** Recently opened projects, most recent first, with whether each file still exists. */
  recent(): RecentProject[] {
    return this.recents.list()
  }
}
