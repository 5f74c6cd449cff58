/**
 * Reading a whole file, turning the operating system's errors into ones that name
 * the file and say what was wrong with it.
 */
import { readFileSync } from 'node:fs'
import { fileError } from '../errors.ts'

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return 'file not found'
    case 'EISDIR':
      return 'is a directory, not a file'
    case 'EACCES':
    case 'EPERM':
      return 'cannot read file: permission denied'
    default:
      return `cannot read file: ${err instanceof Error ? err.message : String(err)}`
  }
}

/** The file's bytes; a missing or unreadable file throws fileError(file, …). */
export function readFileBytes(file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (err) {
    throw fileError(file, describeReadError(err), err)
  }
}
