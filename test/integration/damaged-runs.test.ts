import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { ProjectInfo, RunRecord } from '../../core/api/records.ts'
import { createProject } from '../../core/store/project-store.ts'
import {
  ask,
  call,
  serviceFactory,
  statusIs,
  tinyConfig,
  waitForEvent,
} from '../helpers/service.ts'

/**
 * Issue 13 D6: a project whose rows hold invalid JSON. Import refuses it naming the file, the
 * run and the column; opened in place, the damaged run is listed as damaged and the rest of
 * the project stays usable.
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-store-damaged-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
const services = serviceFactory()
afterEach(() => services.closeAll())

/** A project with runs 1 (sound), 2 (its `column` not valid JSON) and 3 (sound). */
function damagedProject(file: string, column: string): void {
  const store = createProject(file, 'Damaged')
  for (const name of ['first', 'broken', 'third']) {
    const run = store.createRun({ name, config: { name }, seed: 1, configSummary: { name } })
    store.updateRun(run.id, { status: 'completed', summary: { name } })
  }
  store.close()
  const db = new Database(file)
  db.prepare(`UPDATE runs SET ${column} = '{"truncated": ' WHERE id = 2`).run()
  db.close()
}

describe('a project with a damaged run', () => {
  for (const column of ['config', 'config_summary', 'key_metrics', 'summary']) {
    it(`import refuses one whose runs.${column} is not JSON, naming the file, run and column`, async () => {
      const source = path.join(root, `import-${column}.basiscope`)
      damagedProject(source, column)
      const service = services.make()
      const reply = await ask(service, 'projects.import', { source })
      expect(reply.ok).toBe(false)
      if (reply.ok) return
      expect(reply.error.code).toBe('INVALID_FILE')
      expect(reply.error.message).toContain(source)
      expect(reply.error.message).toContain('run 2')
      expect(reply.error.message).toContain(`runs.${column}`)
      expect(fs.readdirSync(service.workspace.dir)).toEqual([])
    })
  }

  it('opened in place, lists it as damaged; other runs open, new runs are added', async () => {
    const service = services.make()
    const file = path.join(service.workspace.dir, 'open.basiscope')
    damagedProject(file, 'config')
    const project = await call<ProjectInfo>(service, 'projects.open', { path: file })
    const runs = await call<RunRecord[]>(service, 'runs.list', { project: project.path })
    expect(runs.map((r) => [r.name, r.damaged])).toEqual([
      ['first', undefined],
      ['broken', `run 2 in ${file}: config is not valid JSON`],
      ['third', undefined],
    ])
    expect(runs[1]).toMatchObject({ config: null, configSummary: { name: 'broken' } })
    const third = await call<{ run: RunRecord; summary: unknown }>(service, 'runs.get', {
      project: file,
      runId: 3,
    })
    expect(third.summary).toEqual({ name: 'third' })
    await call(service, 'runs.setNotes', { project: file, runId: 3, notes: 'still usable' })
    const started = await call<{ run: RunRecord }>(service, 'runs.start', {
      project: file,
      config: tinyConfig,
      name: 'new',
    })
    await waitForEvent(service, statusIs(started.run.id, 'completed', 'failed'))
    const again = await call<RunRecord[]>(service, 'runs.list', { project: file })
    expect(again.map((r) => [r.name, r.status])).toEqual([
      ['first', 'completed'],
      ['broken', 'completed'],
      ['third', 'completed'],
      ['new', 'completed'],
    ])
  }, 120_000)
})
