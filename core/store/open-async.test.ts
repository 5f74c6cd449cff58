import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { olderProject, projectWithData, scribbleMiddle } from '../../test/helpers/store-fixtures.ts'
import { runOnThread, snapshotOnThread, validateProjectFileOffThread } from './sqlite-thread.ts'
import { SCHEMA_VERSION } from './migrations.ts'
import { openProjectAsync } from './open-async.ts'
import { createProject } from './project-store.ts'
import { validateProjectFile } from './validate.ts'
import { Workspace } from './workspace.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-open-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
let counter = 0
const newFile = () => path.join(dir, `p${++counter}.basiscope`)

/** The error a call throws or rejects with. */
async function failure(f: () => unknown): Promise<Error> {
  try {
    await f()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a failure')
}

/** A project file as the first Basiscope wrote it: schema version 1, with a run. */
function versionOneProject(file: string): void {
  olderProject(file, 1, (db) =>
    db
      .prepare(
        "INSERT INTO models (name, created_at, sizes, activation) VALUES ('m', 't', '[1]', 'relu')",
      )
      .run(),
  )
}

const tables = (file: string): string[] => {
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
      .pluck()
      .all() as string[]
  } finally {
    db.close()
  }
}

describe('opening off the event loop', () => {
  it('checks integrity on a worker thread with the same verdicts as the inline check', async () => {
    const sound = newFile()
    projectWithData(sound)
    const onThread = { inlineMaxBytes: 0 }
    expect(await validateProjectFileOffThread(sound, onThread)).toEqual(validateProjectFile(sound))
    const damaged = newFile()
    projectWithData(damaged)
    scribbleMiddle(damaged)
    const inline = await failure(() => validateProjectFile(damaged))
    const threaded = await failure(() => validateProjectFileOffThread(damaged, onThread))
    expect(threaded.message).toMatch(/is damaged/)
    expect(threaded.message).toBe(inline.message)
    const junk = newFile()
    fs.writeFileSync(junk, 'not a database')
    expect((await failure(() => validateProjectFileOffThread(junk, onThread))).message).toBe(
      `${junk}: is not a Basiscope project (not an SQLite database)`,
    )
  })

  it('migrates a version-1 file after an online-backup copy: saved-model tables gone, notes there', async () => {
    const file = newFile()
    versionOneProject(file)
    const store = await openProjectAsync(file, { inlineMaxBytes: 0 })
    expect(store.info()).toMatchObject({
      name: 'Old',
      schemaVersion: SCHEMA_VERSION,
      notes: '',
      notesUpdatedAt: null,
    })
    expect(store.getRun(1)).toMatchObject({ notes: 'kept', notesUpdatedAt: null })
    store.setNotes('about this study')
    expect(store.info()).toMatchObject({
      notes: 'about this study',
      notesUpdatedAt: expect.any(String),
    })
    store.close()
    expect(tables(file)).not.toContain('models')
    expect(tables(file)).not.toContain('model_tensors')
    const backups = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(`${path.basename(file)}.backup-v1-`))
    expect(backups).toHaveLength(1)
    const old = path.join(dir, backups[0])
    expect(tables(old)).toContain('models')
    expect(validateProjectFile(old).schemaVersion).toBe(1)
  })

  it('opens read-only without migrating', async () => {
    const file = newFile()
    versionOneProject(file)
    const store = await openProjectAsync(file, { readonly: true })
    expect(store.info().schemaVersion).toBe(1)
    store.close()
    expect(tables(file)).toContain('models')
    const fresh = newFile()
    createProject(fresh, 'New').close()
    expect(tables(fresh)).not.toContain('models')
  })

  it('imports a version-1 file migrated, with no backup copy left in the workspace', async () => {
    const src = newFile()
    versionOneProject(src)
    const ws = new Workspace(fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-open-ws-')))
    const imported = await ws.importProject(src)
    expect(fs.readdirSync(ws.dir)).toEqual([path.basename(imported)])
    expect(tables(imported)).not.toContain('models')
    expect(validateProjectFile(imported).schemaVersion).toBe(SCHEMA_VERSION)
    expect(validateProjectFile(src).schemaVersion).toBe(1)
  })

  it('snapshots a file being written on a worker thread, atomically', async () => {
    const file = newFile()
    const live = createProject(file, 'Live')
    live.createRun({ name: 'only in the WAL', config: {}, seed: 1, configSummary: {} })
    const dest = newFile()
    await snapshotOnThread(file, dest)
    live.close()
    const copy = await openProjectAsync(dest, { readonly: true })
    expect(copy.listRuns().map((r) => r.name)).toEqual(['only in the WAL'])
    copy.close()
    expect(fs.existsSync(`${dest}-wal`)).toBe(false)
    await expect(snapshotOnThread(file, dest)).rejects.toThrow(`${dest}: already exists`)
    const nowhere = path.join(dir, 'no-such-folder', 'x.basiscope')
    await expect(snapshotOnThread(file, nowhere)).rejects.toThrow(
      `${nowhere}: could not be written`,
    )
    expect(fs.existsSync(path.dirname(nowhere))).toBe(false)
  })

  it('replaces a file only when asked, and never one that is open', async () => {
    const file = newFile()
    projectWithData(file, 'Source')
    const dest = newFile()
    fs.writeFileSync(dest, 'an older export to replace')
    await expect(snapshotOnThread(file, dest)).rejects.toThrow(/already exists/)
    await snapshotOnThread(file, dest, { replace: true })
    expect(validateProjectFile(dest).schemaVersion).toBe(SCHEMA_VERSION)
    const busy = createProject(newFile(), 'Busy')
    busy.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} }) // open, with a -wal file
    await expect(snapshotOnThread(file, busy.path, { replace: true })).rejects.toThrow(
      /is in use or was not closed cleanly \(-wal/,
    )
    expect(busy.info().name).toBe('Busy')
    busy.close()
  })

  it('runs a task inline where a thread cannot load the SQLite driver', async () => {
    const file = newFile()
    projectWithData(file)
    const task = { task: 'integrity' as const, pragma: 'quick_check' }
    expect(await runOnThread(file, task, () => ['inline'])).toEqual(['ok'])
    expect(await runOnThread(file, task, () => ['inline'], '/no/such/driver.js')).toEqual([
      'inline',
    ])
  })
})
