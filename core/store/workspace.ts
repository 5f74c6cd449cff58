import fs from 'node:fs'
import path from 'node:path'
import type { ProjectInfo } from '../api/records.ts'
import { BasiscopeError, fileError } from '../errors.ts'
import { fileTimestamp, removeDbFile, sidecarsOf, uniquePath } from './files.ts'
import { PROJECT_EXTENSION, createProject, openProject } from './project-store.ts'
import { RecentList } from './recents.ts'
import type { RecentProject } from './recents.ts'

/** A project in a workspace listing; `error` says why an unreadable file could not be read. */
export type WorkspaceProject = ProjectInfo & { error?: string }

export interface DeleteOptions {
  /** Move to `<workspace>/.trash/` (true) or delete for good (false; the caller confirms). */
  readonly toTrash: boolean
}

export const TRASH_DIR = '.trash'
export const RECENT_FILE = 'recent.json'

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i

/** A file-name-safe slug of a project name: lower case letters/digits joined by '-'. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  if (slug === '') return 'project'
  return WINDOWS_RESERVED.test(slug) ? `${slug}-project` : slug
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * A folder of project files (`*.basiscope`) plus the list of recently opened projects
 * (`recent.json` in the folder). Operations that change a project file (rename, delete)
 * expect it not to be open elsewhere.
 */
export class Workspace {
  readonly dir: string
  private readonly recents: RecentList

  constructor(dir: string) {
    this.dir = path.resolve(dir)
    this.recents = new RecentList(path.join(this.dir, RECENT_FILE))
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
      const store = openProject(file, { readonly: true, check: 'none' })
      try {
        return store.info()
      } finally {
        store.close()
      }
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
  rename(file: string, name: string): string {
    const abs = this.own(file)
    const store = openProject(abs, { check: 'quick' })
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
   * A consistent copy (a snapshot, see `SqliteProjectStore.copyTo`) of a project under a new
   * name (default "<name> (copy)") and a new project id. Returns the copy's path.
   */
  duplicate(file: string, newName?: string): string {
    const abs = this.own(file)
    const source = openProject(abs, { readonly: true })
    let dest: string
    let name: string
    try {
      name = newName?.trim() || `${source.info().name} (copy)`
      dest = this.freePath(name)
      source.copyTo(dest)
    } finally {
      source.close()
    }
    try {
      const copy = openProject(dest, { check: 'none', backupBeforeMigrate: false })
      try {
        copy.rename(name)
        copy.renewId()
      } finally {
        copy.close()
      }
    } catch (e) {
      removeDbFile(dest)
      throw e
    }
    return dest
  }

  /**
   * Deletes a project: moves it to `<workspace>/.trash/` with a timestamp in its name (and
   * returns the new path), or removes it for good when `toTrash` is false (returns null).
   */
  delete(file: string, options: DeleteOptions): string | null {
    const abs = this.own(file)
    let trashed: string | null = null
    if (options.toTrash) {
      const trash = path.join(this.dir, TRASH_DIR)
      fs.mkdirSync(trash, { recursive: true })
      const base = `${path.basename(abs, PROJECT_EXTENSION)}-${fileTimestamp()}`
      trashed = uniquePath(trash, base, PROJECT_EXTENSION)
      fs.renameSync(abs, trashed)
      // Companion files (left by a crash) belong with it.
      const [wal, shm, journal] = sidecarsOf(trashed)
      const moves: [string, string][] = [
        [`${abs}-wal`, wal],
        [`${abs}-shm`, shm],
        [`${abs}-journal`, journal],
      ]
      for (const [from, to] of moves) if (fs.existsSync(from)) fs.renameSync(from, to)
    } else {
      removeDbFile(abs)
    }
    this.recents.remove(abs)
    return trashed
  }

  /**
   * Copies a project file from elsewhere into the workspace (a consistent snapshot, see
   * `SqliteProjectStore.copyTo`). The source is fully validated (read-only) first; if it is
   * not a sound project nothing is created. Returns the new path.
   */
  importProject(src: string): string {
    const abs = path.resolve(src)
    const source = openProject(abs, { readonly: true })
    let dest: string
    try {
      this.ensureDir()
      dest = this.freePath(source.info().name)
      source.copyTo(dest)
    } finally {
      source.close()
    }
    try {
      // Bring an older schema up to date now; the source is the backup.
      openProject(dest, { check: 'quick', backupBeforeMigrate: false }).close()
    } catch (e) {
      removeDbFile(dest)
      throw e
    }
    return dest
  }

  /** A consistent copy (online backup) of a project to `dest`, even while it is being written. */
  async exportProject(file: string, dest: string): Promise<void> {
    const store = openProject(path.resolve(this.dir, file), { readonly: true })
    try {
      await store.exportTo(dest)
    } finally {
      store.close()
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
