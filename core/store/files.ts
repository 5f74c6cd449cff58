import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** File-system helpers shared by the store and the workspace. */

/** A timestamp usable in file names on every platform: 2026-11-25T10-20-30-123Z. */
export function fileTimestamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-')
}

/** A name for a temporary file next to `file`, never a `.basiscope` name. */
export function tempPathFor(file: string): string {
  return `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`
}

/** SQLite's companion files of a database file. */
export function sidecarsOf(file: string): string[] {
  return [`${file}-wal`, `${file}-shm`, `${file}-journal`]
}

/**
 * Companion files of `file` that exist. A database file being replaced must have none: SQLite
 * would apply a leftover -wal file to whatever database later bears the name.
 */
export function existingSidecars(file: string): string[] {
  return sidecarsOf(file).filter((f) => fs.existsSync(f))
}

/** Removes a file and its SQLite companions, ignoring ones that do not exist. */
export function removeDbFile(file: string): void {
  for (const f of [file, ...sidecarsOf(file)]) fs.rmSync(f, { force: true })
}

/** `${base}${ext}`, or `${base}-2${ext}`, `${base}-3${ext}`, … whichever does not exist yet. */
export function uniquePath(dir: string, base: string, ext: string): string {
  for (let i = 1; ; i++) {
    const candidate = path.join(dir, i === 1 ? `${base}${ext}` : `${base}-${i}${ext}`)
    if (!fs.existsSync(candidate)) return candidate
  }
}

/** True when both paths name the same existing file (same device and inode; links followed). */
export function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true
  try {
    const sa = fs.statSync(a, { bigint: true })
    const sb = fs.statSync(b, { bigint: true })
    return sa.dev === sb.dev && sa.ino === sb.ino
  } catch {
    return false
  }
}
