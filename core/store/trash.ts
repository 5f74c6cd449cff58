import fs from 'node:fs'
import path from 'node:path'
import { BasiscopeError, fileError } from '../errors.ts'
import { fileTimestamp, removeDbFile, sidecarsOf, uniquePath } from './files.ts'
import { PROJECT_EXTENSION } from './project-store.ts'

/** The workspace's trash: deleted projects wait in `<workspace>/.trash/` until restored. */

export const TRASH_DIR = '.trash'

/** `<slug>-2026-11-25T10-20-30-123Z.basiscope`: the time it was trashed, in its name. */
const TRASHED_NAME = /-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z\.basiscope$/

/** Moves a database file and its SQLite companions (left by a crash) to a new name. */
export function moveDbFile(from: string, to: string): void {
  fs.renameSync(from, to)
  const [wal, shm, journal] = sidecarsOf(to)
  const moves: [string, string][] = [
    [`${from}-wal`, wal],
    [`${from}-shm`, shm],
    [`${from}-journal`, journal],
  ]
  for (const [a, b] of moves) if (fs.existsSync(a)) fs.renameSync(a, b)
}

export class Trash {
  readonly dir: string

  constructor(workspaceDir: string) {
    this.dir = path.join(workspaceDir, TRASH_DIR)
  }

  /** Moves a project file into the trash under a timestamped name; returns that path. */
  put(file: string): string {
    fs.mkdirSync(this.dir, { recursive: true })
    const base = `${path.basename(file, PROJECT_EXTENSION)}-${fileTimestamp()}`
    const trashed = uniquePath(this.dir, base, PROJECT_EXTENSION)
    moveDbFile(file, trashed)
    return trashed
  }

  /** The trashed project files, newest first. */
  files(): string[] {
    let names: string[]
    try {
      names = fs.readdirSync(this.dir)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw fileError(this.dir, `cannot be listed (${(e as Error).message})`, e)
    }
    return names
      .filter((n) => n.endsWith(PROJECT_EXTENSION))
      .map((n) => path.join(this.dir, n))
      .sort((a, b) => trashedAt(b).localeCompare(trashedAt(a)))
  }

  /** The absolute path of a file in the trash, or an error. */
  own(file: string): string {
    const abs = path.resolve(this.dir, file)
    if (path.dirname(abs) !== this.dir || !abs.endsWith(PROJECT_EXTENSION)) {
      throw new BasiscopeError('INVALID_ARGUMENT', `${abs} is not a project in the trash`, abs)
    }
    if (!fs.existsSync(abs)) throw fileError(abs, 'does not exist')
    return abs
  }

  /** Deletes a trashed project for good. */
  purge(file: string): void {
    removeDbFile(this.own(file))
  }
}

/** When a trashed file was trashed (ISO), from its name, else its modification time. */
export function trashedAt(file: string): string {
  const m = TRASHED_NAME.exec(path.basename(file))
  if (m) return `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`
  try {
    return fs.statSync(file).mtime.toISOString()
  } catch {
    return ''
  }
}
