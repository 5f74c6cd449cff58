import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import { sameFile } from './files.ts'

/**
 * Who runs a run. Every run row names the process that created it and will finish it (its
 * owner: host, process id, the OS's start mark of that process and a random token of the
 * process) and a heartbeat the owner refreshes while it holds the run. Another process that
 * opens the project marks a queued or running run `interrupted` only when its owner is
 * provably gone (`ownerGone`): a live run of another process is never touched.
 */

/** How often the owner refreshes the heartbeat of the runs it holds. */
export const HEARTBEAT_INTERVAL_MS = 10_000

/**
 * A heartbeat older than this means the owner is gone where nothing better can be known (the
 * owner is on another host, or its OS has no start mark to tell a reused process id).
 * Generous: a busy or suspended machine must not lose its runs.
 */
export const HEARTBEAT_STALE_MS = 10 * 60_000

export interface RunOwner {
  /** The host name, and on Linux the process-id namespace (containers share host names). */
  readonly host: string
  readonly pid: number
  /** When the OS started the process (Linux: boot id and start time), or null where unknown. */
  readonly started: string | null
  /** Random per process: tells this process's runs from those of an earlier one. */
  readonly token: string
}

/** An owner as stored: any field may be missing (runs from before owners were recorded). */
export interface StoredOwner {
  readonly host: string | null
  readonly pid: number | null
  readonly started: string | null
  readonly token: string | null
  readonly heartbeatAt: string | null
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    return null
  }
}

function hostIdentity(): string {
  let ns: string | null = null
  try {
    ns = fs.readlinkSync('/proc/self/ns/pid')
  } catch {
    // not Linux
  }
  return ns ? `${os.hostname()} ${ns}` : os.hostname()
}

const BOOT_ID = readText('/proc/sys/kernel/random/boot_id')

/** The OS's start mark of a process (Linux: boot id and start time in ticks), or null. */
export function processStartMark(pid: number): string | null {
  if (BOOT_ID === null) return null
  const stat = readText(`/proc/${pid}/stat`)
  if (stat === null) return null
  // Fields after the command name (which may hold spaces) in parentheses: state is field 3,
  // starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const start = fields[22 - 3]
  return start ? `${BOOT_ID}:${start}` : null
}

/** This process as a run owner. */
export const THIS_PROCESS: RunOwner = {
  host: hostIdentity(),
  pid: process.pid,
  started: processStartMark(process.pid),
  token: randomUUID(),
}

/** Whether a process with this id exists (one of another user counts). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The runs this process holds (is running), by project file. */
const held = new Map<string, Set<number>>()

export function holdRun(file: string, runId: number): void {
  const ids = held.get(file) ?? new Set<number>()
  ids.add(runId)
  held.set(file, ids)
}

export function releaseRun(file: string, runId: number): void {
  const ids = held.get(file)
  ids?.delete(runId)
  if (ids?.size === 0) held.delete(file)
}

/** Whether this process holds the run of this file (the same file under any path). */
export function heldHere(file: string, runId: number): boolean {
  for (const [f, ids] of held) if (ids.has(runId) && sameFile(f, file)) return true
  return false
}

function heartbeatStale(heartbeatAt: string | null, nowMs: number): boolean {
  const at = heartbeatAt === null ? Number.NaN : Date.parse(heartbeatAt)
  return !(nowMs - at <= HEARTBEAT_STALE_MS)
}

/**
 * Whether the owner of run `runId` of `file` is provably gone, so the run cannot finish:
 * - no owner recorded (a run from before owners were);
 * - this process is the owner but does not hold the run (an earlier store of it, or a copy
 *   of the file);
 * - same host and no process has that id, or one that the OS started at another time (or
 *   this process, under another token);
 * - otherwise (another host, or no start mark to compare) the heartbeat is stale.
 */
export function ownerGone(
  owner: StoredOwner,
  file: string,
  runId: number,
  nowMs: number = Date.now(),
): boolean {
  if (owner.token === null || owner.pid === null || owner.host === null) return true
  if (owner.token === THIS_PROCESS.token) return !heldHere(file, runId)
  const stale = heartbeatStale(owner.heartbeatAt, nowMs)
  if (owner.host !== THIS_PROCESS.host) return stale
  // Our process id with another token: an earlier process that had our id.
  if (owner.pid === THIS_PROCESS.pid || !pidAlive(owner.pid)) return true
  const mark = processStartMark(owner.pid)
  if (mark !== null && owner.started !== null) return mark !== owner.started
  return stale
}
