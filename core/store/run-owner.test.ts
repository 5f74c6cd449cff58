import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createProject, openProject } from './project-store.ts'
import { INTERRUPTED_ERROR } from './runs-table.ts'
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_STALE_MS,
  type StoredOwner,
  THIS_PROCESS,
  ownerGone,
  processStartMark,
} from './run-owner.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-store-owner-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
let counter = 0
const newFile = () => path.join(dir, `o${++counter}.basiscope`)

/** The id of a process that has exited (and so is not alive, unless reused at once). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(child.stdout.toString())
}

const owner = (o: Partial<StoredOwner>): StoredOwner => ({
  host: THIS_PROCESS.host,
  pid: process.ppid,
  started: processStartMark(process.ppid),
  token: 'another-process',
  heartbeatAt: new Date().toISOString(),
  ...o,
})

/** Sets a run's owner columns in the file as another process would have written them. */
function setOwner(file: string, runId: number, o: StoredOwner, status = 'running'): void {
  const db = new Database(file)
  db.prepare(
    `UPDATE runs SET status = ?, owner_host = ?, owner_pid = ?, owner_started = ?,
       owner_token = ?, heartbeat_at = ? WHERE id = ?`,
  ).run(status, o.host, o.pid, o.started, o.token, o.heartbeatAt, runId)
  db.close()
}

describe('run owners', () => {
  it('tell a live owner from a gone one', () => {
    const file = newFile()
    const now = Date.now()
    // The parent process (vitest) is alive, started when the OS says.
    expect(ownerGone(owner({}), file, 1, now)).toBe(false)
    expect(ownerGone(owner({ heartbeatAt: '2000-01-01T00:00:00.000Z' }), file, 1, now)).toBe(
      processStartMark(process.ppid) === null,
    )
    expect(ownerGone(owner({ pid: deadPid() }), file, 1, now)).toBe(true)
    if (processStartMark(process.ppid) !== null) {
      // A reused process id: alive, but not the process that started the run.
      expect(ownerGone(owner({ started: 'another-boot:1' }), file, 1, now)).toBe(true)
    }
    // This process id under another token: an earlier process that had it.
    expect(ownerGone(owner({ pid: process.pid }), file, 1, now)).toBe(true)
    // Runs from before owners were recorded.
    expect(ownerGone(owner({ token: null, pid: null, host: null }), file, 1, now)).toBe(true)
    // Another host: only the heartbeat can tell.
    const far = owner({ host: 'elsewhere', pid: 1 })
    expect(ownerGone(far, file, 1, now)).toBe(false)
    expect(ownerGone(far, file, 1, now + HEARTBEAT_STALE_MS + 60_000)).toBe(true)
    expect(ownerGone({ ...far, heartbeatAt: 'garbage' }, file, 1, now)).toBe(true)
  })

  it('are recorded on new runs, and only runs whose owner is gone are marked interrupted', () => {
    const file = newFile()
    const store = createProject(file, 'Owners')
    const make = (name: string) => store.createRun({ name, config: {}, seed: 1, configSummary: {} })
    const mine = make('mine')
    const live = make('live elsewhere')
    const dead = make('dead owner')
    const legacy = make('from before owners')
    const far = make('other host')
    const raw = new Database(file)
    expect(
      raw.prepare('SELECT owner_pid, owner_token FROM runs WHERE id = ?').get(mine.id),
    ).toEqual({ owner_pid: process.pid, owner_token: THIS_PROCESS.token })
    raw.close()
    setOwner(file, live.id, owner({}))
    setOwner(file, dead.id, owner({ pid: deadPid() }))
    setOwner(file, legacy.id, {
      host: null,
      pid: null,
      started: null,
      token: null,
      heartbeatAt: null,
    })
    setOwner(file, far.id, owner({ host: 'elsewhere', heartbeatAt: '2000-01-01T00:00:00.000Z' }))
    // A second store of the same file in this process (as a second service would open it).
    const other = openProject(file)
    expect(other.markInterrupted()).toEqual([dead.id, legacy.id, far.id])
    const byId = new Map(other.listRuns().map((r) => [r.id, r]))
    expect(byId.get(mine.id)?.status).toBe('queued')
    expect(byId.get(live.id)?.status).toBe('running')
    expect(byId.get(dead.id)).toMatchObject({ status: 'interrupted', error: INTERRUPTED_ERROR })
    other.close()
    // This store still holds its run; once closed, its runs are no one's.
    const third = openProject(file)
    expect(third.markInterrupted()).toEqual([])
    store.close()
    expect(third.markInterrupted()).toEqual([mine.id])
    third.close()
  })

  it('a copy of the file does not hold the runs of the original', () => {
    const file = newFile()
    const store = createProject(file, 'Copied')
    const run = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    store.updateRun(run.id, { status: 'running' })
    const copy = newFile()
    // The file as a copy taken during the run has it: the database and its write-ahead log.
    fs.copyFileSync(file, copy)
    fs.copyFileSync(`${file}-wal`, `${copy}-wal`)
    const opened = openProject(copy)
    expect(opened.markInterrupted()).toEqual([run.id])
    opened.close()
    store.close()
  })

  it('a run read-only is shown interrupted when its owner is gone, without writing', () => {
    const file = newFile()
    const store = createProject(file, 'Shown')
    const run = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    store.close()
    setOwner(file, run.id, owner({ pid: deadPid() }))
    const bytes = fs.readFileSync(file)
    const ro = openProject(file, { readonly: true })
    expect(ro.listRuns()[0]).toMatchObject({ status: 'interrupted', error: INTERRUPTED_ERROR })
    ro.close()
    expect(fs.readFileSync(file).equals(bytes)).toBe(true)
  })

  it('a run that ends well drops an "interrupted" error it was wrongly given', () => {
    const file = newFile()
    const store = createProject(file, 'Cleared')
    const run = store.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    store.updateRun(run.id, { status: 'interrupted', error: INTERRUPTED_ERROR })
    expect(store.updateRun(run.id, { status: 'completed' })).toMatchObject({
      status: 'completed',
      error: null,
    })
    expect(store.updateRun(run.id, { status: 'failed', error: 'x' }).error).toBe('x')
    store.close()
  })

  it('the owner refreshes the heartbeat of the runs it holds, until they end', () => {
    expect(HEARTBEAT_INTERVAL_MS).toBeLessThan(HEARTBEAT_STALE_MS / 10)
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      const file = newFile()
      const store = createProject(file, 'Beat')
      const held = store.createRun({ name: 'held', config: {}, seed: 1, configSummary: {} })
      const ended = store.createRun({ name: 'ended', config: {}, seed: 1, configSummary: {} })
      store.updateRun(ended.id, { status: 'cancelled' })
      const db = new Database(file)
      db.prepare("UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z'").run()
      vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS)
      const at = (id: number) =>
        String(db.prepare('SELECT heartbeat_at FROM runs WHERE id = ?').pluck().get(id))
      expect(Date.now() - Date.parse(at(held.id))).toBeLessThan(60_000)
      expect(at(ended.id)).toBe('2000-01-01T00:00:00.000Z')
      db.close()
      store.close()
    } finally {
      vi.useRealTimers()
    }
  })
})
