import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProjectInfo } from '../../core/api/records.ts'
import { ask, call, serviceFactory } from '../helpers/service.ts'

type Trashed = ProjectInfo & { trashedAt: string }

describe('service: projects by stable id, one path rule, trash, notes, copies', () => {
  const services = serviceFactory()
  afterEach(() => services.closeAll())

  it('addresses a project by its id before and after a rename', async () => {
    const service = services.make()
    const created = await call<ProjectInfo>(service, 'projects.create', { name: 'Linked' })
    const renamed = await call<ProjectInfo>(service, 'projects.rename', {
      path: created.id,
      name: 'Linked, renamed',
    })
    expect(renamed.id).toBe(created.id)
    expect(renamed.path).not.toBe(created.path)
    // The old link (the id) still works; runs are found through it.
    expect(await call<ProjectInfo>(service, 'projects.open', { path: created.id })).toMatchObject({
      path: renamed.path,
      name: 'Linked, renamed',
    })
    expect(await call(service, 'runs.list', { project: created.id })).toEqual([])
    // A fresh service (a new app start) finds it by id in the workspace.
    const again = services.make({ workspaceDir: service.workspace.dir })
    expect(await call<unknown[]>(again, 'runs.list', { project: created.id })).toEqual([])
    const missing = await ask(again, 'projects.open', {
      path: '00000000-0000-4000-8000-000000000000',
    })
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('resolves relative paths against the workspace, for open as for rename', async () => {
    const service = services.make()
    const created = await call<ProjectInfo>(service, 'projects.create', { name: 'Relative' })
    const file = basename(created.path)
    expect(await call<ProjectInfo>(service, 'projects.open', { path: file })).toMatchObject({
      path: created.path,
    })
    const renamed = await call<ProjectInfo>(service, 'projects.rename', { path: file, name: 'R2' })
    expect(dirname(renamed.path)).toBe(service.workspace.dir)
  })

  it('lists deleted projects in the trash and restores them with their id', async () => {
    const service = services.make()
    const a = await call<ProjectInfo>(service, 'projects.create', { name: 'Deleted by mistake' })
    await call(service, 'projects.open', { path: a.path })
    await call(service, 'projects.delete', { path: a.id })
    expect(await call<ProjectInfo[]>(service, 'projects.list')).toEqual([])
    const trash = await call<Trashed[]>(service, 'projects.trash')
    expect(trash).toHaveLength(1)
    expect(trash[0]).toMatchObject({ id: a.id, name: 'Deleted by mistake', runCount: 0 })
    expect(Date.parse(trash[0].trashedAt)).not.toBeNaN()
    const restored = await call<ProjectInfo>(service, 'projects.restore', { path: trash[0].path })
    expect(restored).toMatchObject({ id: a.id, name: 'Deleted by mistake' })
    expect(dirname(restored.path)).toBe(service.workspace.dir)
    expect(await call(service, 'projects.trash')).toEqual([])
    // Deleting for good from the trash.
    await call(service, 'projects.delete', { path: restored.path })
    const [again] = await call<Trashed[]>(service, 'projects.trash')
    await call(service, 'projects.delete', { path: again.path, toTrash: false })
    expect(existsSync(again.path)).toBe(false)
    expect(await ask(service, 'projects.restore', { path: again.path })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FILE' },
    })
  })

  it('keeps notes on projects and runs, with when they changed', async () => {
    const service = services.make()
    const p = await call<ProjectInfo>(service, 'projects.create', { name: 'Noted' })
    expect(p).toMatchObject({ notes: '', notesUpdatedAt: null })
    const noted = await call<ProjectInfo>(service, 'projects.setNotes', {
      path: p.id,
      notes: 'Hypothesis: lp beats l1',
    })
    expect(noted).toMatchObject({ notes: 'Hypothesis: lp beats l1' })
    expect(Date.parse(noted.notesUpdatedAt!)).not.toBeNaN()
    const listed = await call<ProjectInfo[]>(service, 'projects.list')
    expect(listed[0]).toMatchObject({ notes: 'Hypothesis: lp beats l1' })
    const bad = await ask(service, 'projects.setNotes', { path: p.id, notes: 7 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
  })

  it('gives duplicates and imports distinct names and ids', async () => {
    const service = services.make()
    const p = await call<ProjectInfo>(service, 'projects.create', { name: 'Base' })
    const d1 = await call<ProjectInfo>(service, 'projects.duplicate', { path: p.id })
    const d2 = await call<ProjectInfo>(service, 'projects.duplicate', { path: p.path })
    expect([d1.name, d2.name]).toEqual(['Base (copy)', 'Base (copy 2)'])
    expect(new Set([p.id, d1.id, d2.id]).size).toBe(3)
    const outside = join(mkdtempSync(join(tmpdir(), 'basiscope-out-')), 'base.basiscope')
    await call(service, 'projects.export', { path: p.id, destination: outside })
    const imported = await call<ProjectInfo>(service, 'projects.import', { source: outside })
    expect(imported.name).toBe('Base (2)')
    expect(imported.id).not.toBe(p.id)
  })

  it('exports outside the workspace by default, and never into it', async () => {
    const service = services.make()
    const info = await call<{ exportDir: string; workspace: string }>(service, 'app.info')
    expect(info.exportDir).not.toBe(info.workspace)
    const p = await call<ProjectInfo>(service, 'projects.create', { name: 'Shipped' })
    const first = await call<{ destination: string }>(service, 'projects.export', { path: p.id })
    const second = await call<{ destination: string }>(service, 'projects.export', { path: p.id })
    expect(first.destination).toBe(join(info.exportDir, 'shipped.basiscope'))
    expect(second.destination).toBe(join(info.exportDir, 'shipped-2.basiscope'))
    const inside = await ask(service, 'projects.export', {
      path: p.id,
      destination: 'copy.basiscope',
    })
    expect(inside).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(!inside.ok && inside.error.message).toMatch(/is in the workspace folder/)
    expect(await call<ProjectInfo[]>(service, 'projects.list')).toHaveLength(1)
  })
})
