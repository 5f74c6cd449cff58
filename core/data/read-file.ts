/**
 * Reading a whole file, turning the operating system's errors into ones that name
 * the file and say what was wrong with it.
 */
import { readFileSync } from 'node:fs'
import { BasiscopeError, fileError } from '../errors.ts'

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

/**
 * A JSON file's parsed value. An unreadable file is INVALID_FILE; text that is not JSON
 * raises `invalidCode` (a config file's caller wants INVALID_CONFIG, exit code 2).
 */
export function readJsonFile(
  file: string,
  invalidCode: 'INVALID_FILE' | 'INVALID_CONFIG' = 'INVALID_FILE',
): unknown {
  const text = readFileBytes(file).toString('utf8')
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new BasiscopeError(invalidCode, `${file}: not valid JSON (${(e as Error).message})`, file)
  }
}
