import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openProject } from '../../core/store/project-store.ts'
import {
  type CompletedRuns,
  checkProjectFile,
  lostCompletedRuns,
  markedInterrupted,
  noteCompleted,
  projectFilesUnder,
} from '../../scripts/stress-check.ts'
import { emptyFigures, failed } from '../../scripts/stress-figures.ts'
import { type Cycle, schedule } from '../../scripts/stress-schedule.ts'
import { projectWithData, scribbleMiddle } from '../helpers/store-fixtures.ts'

/** The pure parts of `npm run stress`: its seeded schedule and its checks of a project file. */

describe('stress schedule', () => {
  const first = (seed: number, n: number): Cycle[] => {
    const at = schedule(seed)
    return Array.from({ length: n }, (_, i) => at(i))
  }

  it('repeats for a seed, in any order of asking, and differs between seeds', () => {
    const a = first(1, 300)
    const later = schedule(1)
    expect(later(299)).toEqual(a[299])
    expect(later(7)).toEqual(a[7])
    expect(first(1, 300)).toEqual(a)
    expect(first(2, 300)).not.toEqual(a)
  })

  it('mixes kills of every target with completed runs and probes, kill moments in [0, 1.1)', () => {
    const cycles = first(3, 2000)
    const kills = cycles.filter((c) => c.kind === 'kill')
    const completes = cycles.filter((c) => c.kind === 'complete')
    expect(kills.length / cycles.length).toBeGreaterThan(0.75)
    expect(kills.length / cycles.length).toBeLessThan(0.85)
    for (const target of ['run', 'worker', 'server'] as const) {
      expect(kills.filter((c) => c.target === target).length).toBeGreaterThan(300)
    }
    expect(kills.filter((c) => c.target === 'worker' && c.host === 'cli').length).toBeGreaterThan(
      50,
    )
    expect(kills.every((c) => c.at >= 0 && c.at < 1.1)).toBe(true)
    expect(kills.some((c) => c.at > 1)).toBe(true)
    expect(completes.filter((c) => c.probe === 'show').length).toBeGreaterThan(50)
    expect(completes.filter((c) => c.probe === 'other-host').length).toBeGreaterThan(50)
    expect(completes.filter((c) => c.probe === 'none').length).toBeGreaterThan(50)
  })
})

describe('stress checks of a project file', () => {
  let dir: string
  let good: string

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-stress-test-'))
    good = path.join(dir, 'good.basiscope')
    projectWithData(good)
    const store = openProject(good)
    store.updateRun(1, { status: 'completed', summary: { done: true } })
    store.updateRun(2, { status: 'running' })
    store.close()
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  const copy = (name: string): string => {
    const file = path.join(dir, name)
    fs.copyFileSync(good, file)
    return file
  }
  const withDb = (file: string, sql: string): void => {
    const db = new Database(file)
    db.exec(sql)
    db.close()
  }

  it('passes a sound project and reports its runs', () => {
    const report = checkProjectFile(good)
    expect(report.problems).toEqual([])
    expect(report.checks).toBeGreaterThan(5)
    expect(report.runs.map((r) => [r.id, r.status, r.artifacts])).toEqual([
      [1, 'completed', 1],
      [2, 'running', 1],
      [3, 'queued', 1],
    ])
    expect(projectFilesUnder(dir)).toEqual([good])
  })

  it('finds damaged pages, a row with invalid JSON and an unreadable tensor', () => {
    const scribbled = copy('scribbled.basiscope')
    scribbleMiddle(scribbled)
    expect(checkProjectFile(scribbled).problems.join('\n')).toMatch(/integrity_check|malformed/)

    const badJson = copy('bad-json.basiscope')
    withDb(badJson, "UPDATE runs SET config = '{not json' WHERE id = 3")
    expect(checkProjectFile(badJson).problems).toContain('runs 3: config is not valid JSON')

    const badTensor = copy('bad-tensor.basiscope')
    withDb(badTensor, "UPDATE artifacts SET data = x'00' WHERE run_id = 1")
    expect(checkProjectFile(badTensor).problems.join('\n')).toMatch(/run 1: .*bytes of data/)

    // A kill in the middle of a rollback-journal write: the file and its hot journal.
    const hot = path.join(dir, 'hot.basiscope')
    const db = new Database(good)
    db.pragma('cache_size = 1')
    db.exec('BEGIN')
    db.exec("UPDATE metrics SET value = 0; UPDATE artifacts SET meta = '{}'")
    fs.copyFileSync(good, hot)
    fs.copyFileSync(`${good}-journal`, `${hot}-journal`)
    db.exec('ROLLBACK')
    db.close()
    const hotReport = checkProjectFile(hot)
    expect(hotReport.problems.join('\n')).toMatch(/readonly database/)
    expect(hotReport.soundAfterRollback).toBe(true)
    expect(fs.existsSync(`${hot}-journal`)).toBe(true)

    const empty = path.join(dir, 'empty.basiscope')
    fs.writeFileSync(empty, '')
    expect(checkProjectFile(empty).problems.join('\n')).toMatch(/validate: .*is empty/)
  })

  it('reports a completed run that was lost or changed, and runs marked interrupted', () => {
    const known: CompletedRuns = new Map()
    expect(noteCompleted(known, checkProjectFile(good))).toBe(1)
    expect(lostCompletedRuns(known, checkProjectFile(good))).toEqual([])

    const store = openProject(good)
    store.updateRun(1, { status: 'interrupted', error: 'interrupted: stopped' })
    store.close()
    expect(lostCompletedRuns(known, checkProjectFile(good))).toEqual([
      { key: `${good}#1`, reason: 'completed run is now interrupted' },
    ])
    withDb(good, 'DELETE FROM runs WHERE id = 1')
    expect(lostCompletedRuns(known, checkProjectFile(good))).toEqual([
      { key: `${good}#1`, reason: 'completed run is gone' },
    ])

    expect(markedInterrupted({ status: 'completed', error: 'interrupted: …' })).toBe(true)
    expect(markedInterrupted({ status: 'interrupted', error: null })).toBe(true)
    expect(markedInterrupted({ status: 'completed', error: null })).toBe(false)
  })

  it('fails the figures on any lost run, corrupt file, D2 mark or anomaly', () => {
    const f = emptyFigures('abc', 1, 10)
    expect(failed(f)).toBe(false)
    expect(failed({ ...f, liveRunsWronglyInterrupted: 1 })).toBe(true)
    expect(failed({ ...f, completedRunsLost: 1 })).toBe(true)
    expect(failed({ ...f, corruptProjects: 1 })).toBe(true)
  })
})
