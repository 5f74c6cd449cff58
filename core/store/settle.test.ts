import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { thrown } from '../../test/helpers/errors.ts'
import { leaveUnfinishedWrite, sha256, walModeAtRest } from '../../test/helpers/store-fixtures.ts'
import { openProjectAsync } from './open-async.ts'
import { createProject, openProject } from './project-store.ts'
import { readsInPlace, withReadable } from './settle.ts'
import { Workspace } from './workspace.ts'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-store-settle-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
let counter = 0
/** A fresh folder with nothing else in it. */
const newDir = () => fs.mkdtempSync(path.join(root, `d${++counter}-`))

/** Every file of a folder with its hash. */
function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, sha256(path.join(dir, f))]))
}

async function projectWithUnfinishedWrite(dir: string): Promise<string> {
  const file = path.join(dir, 'source.basiscope')
  const store = createProject(file, 'Committed')
  store.createRun({ name: 'kept', config: {}, seed: 1, configSummary: {} })
  store.updateRun(1, { status: 'completed' })
  store.close()
  await leaveUnfinishedWrite(file)
  return file
}

describe('reading a project without writing beside it', () => {
  it('a hot journal left by a killed writer: read-only, the error names the journal and the fix', async () => {
    const dir = newDir()
    const file = await projectWithUnfinishedWrite(dir)
    expect(readsInPlace(file)).toBe(false)
    // What SQLite itself says (the reported symptom) …
    const raw = thrown(() => new Database(file, { readonly: true }).pragma('schema_version'))
    expect(raw.message).toBe('attempt to write a readonly database')
    // … and what Basiscope says instead.
    const before = hashes(dir)
    const e = thrown(() => openProject(file, { readonly: true }))
    expect(e).toMatchObject({ code: 'INVALID_FILE' })
    expect(e.message).toContain(`${file}-journal`)
    expect(e.message).toMatch(/unfinished write.*killed|stopped while writing/)
    expect(e.message).toMatch(/import it/)
    expect(hashes(dir)).toEqual(before)
  })

  it('import and show read a settled copy: the committed state, nothing beside the source changed', async () => {
    const dir = newDir()
    const file = await projectWithUnfinishedWrite(dir)
    const before = hashes(dir)
    const shown = await withReadable(file, async (readable) => {
      const store = openProject(readable, { readonly: true })
      try {
        return store.info().name
      } finally {
        store.close()
      }
    })
    expect(shown).toBe('Committed')
    const workspace = new Workspace(newDir())
    const imported = await workspace.importProject(file)
    const store = openProject(imported)
    expect(store.info().name).toBe('Committed')
    expect(store.listRuns().map((r) => r.name)).toEqual(['kept'])
    store.close()
    expect(hashes(dir)).toEqual(before)
  })

  it('opening for writing rolls the unfinished write back in place', async () => {
    const dir = newDir()
    const file = await projectWithUnfinishedWrite(dir)
    const store = await openProjectAsync(file)
    expect(store.info().name).toBe('Committed')
    expect(store.integrityCheck()).toEqual([])
    store.close()
    expect(fs.readdirSync(dir)).toEqual(['source.basiscope'])
  })

  it('a journal beside a file that is not a project after the rollback: refused, nothing changed', async () => {
    const dir = newDir()
    const file = path.join(dir, 'other.basiscope')
    const db = new Database(file)
    db.exec('CREATE TABLE notes (x)')
    db.close()
    await leaveUnfinishedWrite(file)
    const before = hashes(dir)
    const e = await openProjectAsync(file).catch((x: unknown) => x as Error)
    expect(e).toMatchObject({ code: 'INVALID_FILE' })
    expect((e as Error).message).toContain(file)
    expect((e as Error).message).toMatch(/not a Basiscope project/)
    expect((e as Error).message).not.toContain('basiscope-settle-')
    expect(hashes(dir)).toEqual(before)
  })

  it('importing a source in WAL mode at rest creates no -wal/-shm beside it (D13)', async () => {
    const dir = newDir()
    const file = path.join(dir, 'wal.basiscope')
    walModeAtRest(file)
    expect(readsInPlace(file)).toBe(false)
    const before = hashes(dir)
    const workspace = new Workspace(newDir())
    const imported = await workspace.importProject(file)
    expect(openProject(imported, { readonly: true }).info().name).toBe('Wal')
    expect(hashes(dir)).toEqual(before)
  })

  it('listing a workspace describes such files from a settled copy and writes nothing beside them', async () => {
    const dir = newDir()
    await projectWithUnfinishedWrite(dir)
    walModeAtRest(path.join(dir, 'wal.basiscope'))
    const before = hashes(dir)
    const listed = new Workspace(dir).list()
    expect(listed.map((p) => [path.basename(p.path), p.name, p.error])).toEqual([
      ['source.basiscope', 'Committed', undefined],
      ['wal.basiscope', 'Wal', undefined],
    ])
    expect(hashes(dir)).toEqual(before)
  })

  it('restoring a trashed project with an unfinished write brings back its committed state', async () => {
    const ws = newDir()
    const file = await projectWithUnfinishedWrite(ws)
    const workspace = new Workspace(ws)
    const trashed = workspace.delete(file, { toTrash: true })!
    const restored = await workspace.restore(path.basename(trashed))
    const store = openProject(restored, { readonly: true })
    expect(store.info().name).toBe('Committed')
    expect(store.listRuns().map((r) => r.name)).toEqual(['kept'])
    expect(store.integrityCheck()).toEqual([])
    store.close()
    expect(fs.existsSync(`${restored}-journal`)).toBe(false)
  })

  it('importing a source another process has open in WAL mode reads it through its log', async () => {
    const dir = newDir()
    const file = path.join(dir, 'open.basiscope')
    const writer = createProject(file, 'Open')
    writer.createRun({ name: 'in the log', config: {}, seed: 1, configSummary: {} })
    const names = fs.readdirSync(dir).sort()
    const workspace = new Workspace(newDir())
    const imported = await workspace.importProject(file)
    const copy = openProject(imported, { readonly: true })
    expect(copy.listRuns().map((r) => r.name)).toEqual(['in the log'])
    copy.close()
    expect(fs.readdirSync(dir).sort()).toEqual(names)
    writer.close()
  })
})
