import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileError } from '../errors.ts'
import { errorMessage } from './checks.ts'

/**
 * Files written whole or not at all (DESIGN.md §5: nothing is left half-written): the one
 * place every writer of model files, run files, summaries and settings goes through.
 */

/** Write-to-temp, fsync, rename. Failures become fileError(file) and leave no temp file behind. */
export function writeFileAtomic(file: string, content: Uint8Array | string): void {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  let fd: number | undefined
  try {
    fd = fs.openSync(tmp, 'wx', 0o644)
    let written = 0
    while (written < bytes.length) {
      written += fs.writeSync(fd, bytes, written, bytes.length - written)
    }
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fd = undefined
    fs.renameSync(tmp, file)
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd)
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      fs.unlinkSync(tmp)
    } catch {
      // never created, or already renamed
    }
    throw fileError(file, `cannot write file: ${errorMessage(e)}`)
  }
  // Make the rename itself durable. Not possible on every platform (Windows), hence best effort.
  try {
    const dir = fs.openSync(dirname(resolve(file)), 'r')
    try {
      fs.fsyncSync(dir)
    } finally {
      fs.closeSync(dir)
    }
  } catch {
    // best effort
  }
}

/** JSON (pretty-printed, newline-terminated), written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n')
}
