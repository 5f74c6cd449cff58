import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { SCHEMA_VERSION } from './migrations.ts'
import { createProject, openProject } from './project-store.ts'
import { projectWithData, scribbleMiddle, sha256 } from '../../test/helpers/store-fixtures.ts'
import { slugify } from './names.ts'
import { Workspace } from './workspace.ts'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-store-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

let counter = 0
function newWorkspace(): Workspace {
  return new Workspace(path.join(root, `ws${++counter}`))
}

/** Every file under a folder, recursively, relative to it. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort()
}

const outside = path.join(root, 'outside')
fs.mkdirSync(outside)

describe('slugify', () => {
  it('makes safe file names', () => {
    expect(slugify('My First Project!')).toBe('my-first-project')
    expect(slugify('  Rotations: ℓ¹ vs ℓ⁰ / café ')).toBe('rotations-l1-vs-l0-cafe')
    expect(slugify('...')).toBe('project')
    expect(slugify('CON')).toBe('con-project')
    expect(slugify('x'.repeat(100))).toHaveLength(60)
  })
})

describe('Workspace', () => {
  it('creates projects with unique slug file names and lists them', () => {
    const ws = newWorkspace()
    expect(ws.list()).toEqual([]) // folder not there yet
    const a = ws.create('Sparse MNIST')
    const b = ws.create('Sparse MNIST')
    const c = ws.create('Another one')
    expect(path.basename(a)).toBe('sparse-mnist.basiscope')
    expect(path.basename(b)).toBe('sparse-mnist-2.basiscope')
    expect(path.basename(c)).toBe('another-one.basiscope')
    fs.writeFileSync(path.join(ws.dir, 'notes.txt'), 'not a project')
    fs.writeFileSync(path.join(ws.dir, 'broken.basiscope'), crypto.randomBytes(1000))
    const list = ws.list()
    expect(list.map((p) => [path.basename(p.path), p.name, p.error])).toEqual([
      ['another-one.basiscope', 'Another one', undefined],
      [
        'broken.basiscope',
        'broken',
        `${path.join(ws.dir, 'broken.basiscope')}: is not a Basiscope project (not an SQLite database)`,
      ],
      ['sparse-mnist.basiscope', 'Sparse MNIST', undefined],
      ['sparse-mnist-2.basiscope', 'Sparse MNIST', undefined],
    ])
    expect(list[0]).toMatchObject({ runCount: 0, schemaVersion: SCHEMA_VERSION })
    expect(list[2].id).not.toBe(list[3].id)
    // Listing leaves nothing behind.
    expect(tree(ws.dir)).toEqual([
      'another-one.basiscope',
      'broken.basiscope',
      'notes.txt',
      'sparse-mnist-2.basiscope',
      'sparse-mnist.basiscope',
    ])
  })

  it('renames a project and its file, and recents follow', async () => {
    const ws = newWorkspace()
    const file = ws.create('Draft')
    ws.addRecent(file)
    const renamed = await ws.rename(file, 'Final Results')
    expect(path.basename(renamed)).toBe('final-results.basiscope')
    expect(fs.existsSync(file)).toBe(false)
    const store = openProject(renamed)
    expect(store.info().name).toBe('Final Results')
    store.close()
    expect(ws.recent().map((r) => [r.path, r.name, r.exists])).toEqual([
      [renamed, 'Final Results', true],
    ])
    // Same slug: the file keeps its name.
    expect(await ws.rename(renamed, 'final results')).toBe(renamed)
    await expect(ws.rename(path.join(outside, 'x.basiscope'), 'X')).rejects.toThrow(
      /is not a project file of the workspace/,
    )
  })

  it('keeps the file name when the project is open elsewhere', async () => {
    const ws = newWorkspace()
    const file = ws.create('Busy')
    const open = openProject(file)
    expect(await ws.rename(file, 'Renamed while open')).toBe(file)
    expect(open.info().name).toBe('Renamed while open')
    open.close()
  })

  it('duplicates a project as a consistent copy with a new id', async () => {
    const ws = newWorkspace()
    const file = path.join(ws.dir, 'data.basiscope')
    fs.mkdirSync(ws.dir, { recursive: true })
    projectWithData(file, 'Data')
    const copy = await ws.duplicate(file)
    expect(path.basename(copy)).toBe('data-copy.basiscope')
    const named = await ws.duplicate(file, 'Variant B')
    expect(path.basename(named)).toBe('variant-b.basiscope')
    const [orig, dup] = [openProject(file), openProject(copy)]
    expect(dup.info().name).toBe('Data (copy)')
    expect(dup.info().id).not.toBe(orig.info().id)
    expect(dup.listRuns()).toEqual(orig.listRuns())
    expect(dup.metricSeries(1, 'loss')).toEqual(orig.metricSeries(1, 'loss'))
    orig.close()
    dup.close()
    expect(tree(ws.dir)).toEqual(['data-copy.basiscope', 'data.basiscope', 'variant-b.basiscope'])
  })

  it('duplicates a project that is open elsewhere, including its latest writes', async () => {
    const ws = newWorkspace()
    const file = ws.create('Open')
    const live = openProject(file)
    live.createRun({ name: 'fresh', config: {}, seed: 1, configSummary: {} })
    expect(fs.existsSync(`${file}-wal`)).toBe(true) // the run is only in the WAL so far
    const copy = await ws.duplicate(file)
    live.close()
    const dup = openProject(copy, { readonly: true })
    expect(dup.listRuns().map((r) => r.name)).toEqual(['fresh'])
    dup.close()
  })

  it('deletes to the trash or for good', () => {
    const ws = newWorkspace()
    const a = ws.create('Keep me around')
    const b = ws.create('Gone')
    ws.addRecent(a)
    ws.addRecent(b)
    const trashed = ws.delete(a, { toTrash: true }) as string
    expect(path.dirname(trashed)).toBe(path.join(ws.dir, '.trash'))
    expect(path.basename(trashed)).toMatch(/^keep-me-around-\d{4}-\d\d-\d\dT[\d-]+Z\.basiscope$/)
    const restored = openProject(trashed, { readonly: true })
    expect(restored.info().name).toBe('Keep me around')
    restored.close()
    expect(ws.delete(b, { toTrash: false })).toBeNull()
    expect(fs.existsSync(b)).toBe(false)
    expect(ws.list()).toEqual([])
    expect(ws.recent()).toEqual([])
    expect(() => ws.delete(b, { toTrash: false })).toThrow(/does not exist/)
  })

  it('imports a valid project as a copy, leaving the source untouched', async () => {
    const ws = newWorkspace()
    const src = path.join(outside, 'shared.basiscope')
    projectWithData(src, 'Shared Work')
    const before = sha256(src)
    const imported = await ws.importProject(src)
    expect(path.dirname(imported)).toBe(ws.dir)
    expect(path.basename(imported)).toBe('shared-work.basiscope')
    expect(sha256(src)).toBe(before)
    expect(fs.readdirSync(outside)).toEqual(['shared.basiscope'])
    const again = await ws.importProject(src)
    expect(path.basename(again)).toBe('shared-work-2.basiscope')
    const store = openProject(imported)
    expect(store.info()).toMatchObject({ name: 'Shared Work', runCount: 3 })
    expect(store.listArtifacts(1)).toHaveLength(1)
    store.close()
    fs.rmSync(src)
  })

  describe('refuses to import an invalid file, changing nothing', () => {
    const cases: [string, (file: string) => void, RegExp][] = [
      [
        'random bytes',
        (file) => fs.writeFileSync(file, crypto.randomBytes(5000)),
        /is not a Basiscope project \(not an SQLite database\)/,
      ],
      [
        'an SQLite file that is not a project',
        (file) => {
          const db = new Database(file)
          db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)')
          db.close()
        },
        /is an SQLite database but not a Basiscope project \(missing tables: project, runs,/,
      ],
      [
        'a truncated project',
        (file) => {
          projectWithData(file)
          fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))
        },
        /is damaged/,
      ],
      [
        'a project with scribbled-over pages',
        (file) => {
          projectWithData(file)
          scribbleMiddle(file)
        },
        /is damaged/,
      ],
      [
        'a project from a newer Basiscope',
        (file) => {
          projectWithData(file)
          const db = new Database(file)
          db.pragma('user_version = 42')
          db.close()
        },
        /was written by a newer Basiscope \(schema version 42, this one knows up to \d+\); update Basiscope to open it/,
      ],
    ]
    for (const [what, make, problem] of cases) {
      it(what, async () => {
        const ws = newWorkspace()
        ws.create('Existing')
        const src = path.join(outside, `bad-${what.replace(/\W+/g, '-')}.basiscope`)
        make(src)
        const before = sha256(src)
        const wsBefore = tree(ws.dir)
        const outsideBefore = tree(outside)
        let err: unknown
        try {
          await ws.importProject(src)
        } catch (e) {
          err = e
        }
        expect(err).toBeInstanceOf(BasiscopeError)
        expect((err as BasiscopeError).code).toBe('INVALID_FILE')
        expect((err as BasiscopeError).where).toBe(src)
        expect((err as Error).message.startsWith(`${src}: `)).toBe(true)
        expect((err as Error).message).toMatch(problem)
        expect(tree(ws.dir)).toEqual(wsBefore)
        expect(ws.list().map((p) => p.name)).toEqual(['Existing'])
        expect(sha256(src)).toBe(before)
        expect(tree(outside)).toEqual(outsideBefore)
      })
    }
  })

  it('exports a project that is open and being written', async () => {
    const ws = newWorkspace()
    const file = ws.create('Live')
    const live = openProject(file)
    const run = live.createRun({ name: 'r', config: {}, seed: 1, configSummary: {} })
    const dest = path.join(outside, 'live-export.basiscope')
    const exporting = ws.exportProject(file, dest)
    live.appendMetrics(run.id, [{ key: 'loss', step: 0, wallTime: 0, value: 1 }])
    await exporting
    live.close()
    const copy = openProject(dest, { readonly: true })
    expect(copy.info().name).toBe('Live')
    expect(copy.listRuns()).toHaveLength(1)
    copy.close()
    await expect(ws.exportProject(file, file)).rejects.toThrow(/is the open project itself/)
    fs.rmSync(dest)
  })

  it('remembers recently opened projects', () => {
    const ws = newWorkspace()
    const a = ws.create('Alpha')
    const b = ws.create('Beta')
    ws.addRecent(a)
    ws.addRecent(b)
    ws.addRecent(a)
    const missing = path.join(outside, 'vanished.basiscope')
    ws.addRecent(missing)
    expect(ws.recent().map((r) => [r.path, r.name, r.exists])).toEqual([
      [missing, 'vanished', false],
      [a, 'Alpha', true],
      [b, 'Beta', true],
    ])
    expect(ws.recent()[0].openedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(tree(ws.dir)).toEqual(['alpha.basiscope', 'beta.basiscope', 'recent.json'])
    expect(new Workspace(ws.dir).recent()).toHaveLength(3)
    // A project file created alongside stays listable.
    createProject(path.join(ws.dir, 'gamma.basiscope'), 'Gamma').close()
    expect(ws.list().map((p) => p.name)).toEqual(['Alpha', 'Beta', 'Gamma'])
  })
})
