/**
 * The one checked way to read an input file (issue 13, D4). Every reader of a file the user
 * names (configs, presets, split files, IDX, safetensors, tfjs model.json and its shards)
 * goes through here, so each of them:
 *   - refuses what is not a regular file (a directory, a FIFO, a device such as /dev/zero)
 *     before reading a byte — opened non-blocking, so a FIFO without a writer cannot hang;
 *   - reads at most the bytes its format declares, or a stated maximum, never "until EOF";
 *   - turns the operating system's errors into ones that name the file and the problem.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BasiscopeError, fileError } from '../errors.ts'
import { describeJson, isPlainObject } from './checks.ts'
import { isReallyWithin } from './paths.ts'

/** The largest JSON document (config, preset, split file, model.json) read: 64 MiB. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024

function describeOpenError(err: unknown): string {
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

/** What a non-regular file is, for "is a FIFO, not a regular file". */
function describeKind(s: fs.Stats): string {
  if (s.isDirectory()) return 'is a directory, not a file'
  if (s.isFIFO()) return 'is a FIFO (named pipe), not a regular file'
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'is a device, not a regular file'
  if (s.isSocket()) return 'is a socket, not a regular file'
  return 'is not a regular file'
}

/** An open regular file: its size and reads of declared byte ranges. */
export interface RegularFile {
  readonly file: string
  readonly size: number
  /** Exactly `length` bytes from `position`; fewer (the file shrank) is an error naming it. */
  read(position: number, length: number): Buffer
}

// O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer. Not on Windows.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0)

/**
 * Opens `file`, checks that it is a regular file, and hands it to `body`; closes it after.
 * Every failure is fileError(file, …).
 */
export function withRegularFile<T>(file: string, body: (f: RegularFile) => T): T {
  let fd: number
  try {
    fd = fs.openSync(file, OPEN_FLAGS)
  } catch (err) {
    throw fileError(file, describeOpenError(err), err)
  }
  try {
    const stats = fs.fstatSync(fd)
    if (!stats.isFile()) throw fileError(file, describeKind(stats))
    return body({
      file,
      size: stats.size,
      read: (position, length) => readAt(fd, file, position, length),
    })
  } finally {
    fs.closeSync(fd)
  }
}

function readAt(fd: number, file: string, position: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    let n: number
    try {
      n = fs.readSync(fd, out, done, length - done, position + done)
    } catch (err) {
      throw fileError(file, describeOpenError(err), err)
    }
    if (n === 0) {
      throw fileError(
        file,
        `ended after ${position + done} bytes while reading ${length} bytes at ${position}`,
      )
    }
    done += n
  }
  return out
}

/** The size limit as messages state it: "64 MiB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`
  return `${n} bytes`
}

/**
 * A regular file's bytes, at most `maxBytes` of them (a larger file is refused before it
 * is read); `what` names the kind of file in that message ("a split file").
 */
export function readFileBytes(file: string, maxBytes: number, what = 'this kind of file'): Buffer {
  return withRegularFile(file, (f) => {
    if (f.size > maxBytes) {
      throw fileError(
        file,
        `is ${formatBytes(f.size)}, more than the ${formatBytes(maxBytes)} allowed for ${what}`,
      )
    }
    return f.read(0, f.size)
  })
}

/**
 * A JSON file's parsed value (a leading byte-order mark is skipped). An unreadable file is
 * INVALID_FILE; text that is not JSON raises `invalidCode` (a config file's caller wants
 * INVALID_CONFIG, exit code 2).
 */
export function readJsonFile(
  file: string,
  invalidCode: 'INVALID_FILE' | 'INVALID_CONFIG' = 'INVALID_FILE',
  what = 'a JSON file',
): unknown {
  let text = readFileBytes(file, MAX_JSON_BYTES, what).toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new BasiscopeError(invalidCode, `${file}: not valid JSON (${(e as Error).message})`, file)
  }
}

/**
 * A JSON file whose top level must be an object (issue 13, D1: `[]`, `null`, `"x"` or `42`
 * is not an empty config). `what` says what the object is, for the message.
 */
export function readJsonObject(
  file: string,
  invalidCode: 'INVALID_FILE' | 'INVALID_CONFIG',
  what: string,
): Record<string, unknown> {
  const value = readJsonFile(file, invalidCode, what)
  if (!isPlainObject(value)) {
    throw new BasiscopeError(
      invalidCode,
      `${file}: the top level must be a JSON object (${what}), found ${describeJson(value)}`,
      file,
    )
  }
  return value
}

/**
 * `name` resolved against folder `dir`, or null when it leads outside it — by an absolute
 * path, by `..`, or through a symlink (both sides compared after realpath) — or is the folder
 * itself. A name that does not exist yet resolves (its reader then reports it missing).
 */
export function resolveInside(dir: string, name: string): string | null {
  const target = path.resolve(dir, name)
  if (target === path.resolve(dir)) return null
  return isReallyWithin(dir, target) ? target : null
}
