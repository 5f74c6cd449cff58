import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectWithData } from '../../test/helpers/store-fixtures.ts'
import { copyNames, distinctName, numberedNames } from './names.ts'
import { openProject } from './project-store.ts'
import { Workspace } from './workspace.ts'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-copies-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
let counter = 0
const newWorkspace = () => new Workspace(path.join(root, `ws${++counter}`))
const infoOf = (file: string) => {
  const store = openProject(file, { readonly: true })
  try {
    return store.info()
  } finally {
    store.close()
  }
}

describe('distinct names', () => {
  it('numbers copies until a name is free, ignoring case', () => {
    expect(distinctName(copyNames('X'), ['X'])).toBe('X (copy)')
    expect(distinctName(copyNames('X'), ['X', 'x (COPY)', 'X (copy 2)'])).toBe('X (copy 3)')
    expect(distinctName(numberedNames('X'), [])).toBe('X')
    expect(distinctName(numberedNames('X'), ['x', 'X (2)'])).toBe('X (3)')
  })
})

describe('copies in a workspace get their own name and id', () => {
  it('duplicating twice gives "(copy)" and "(copy 2)", each with a new id', async () => {
    const ws = newWorkspace()
    const file = ws.create('Study')
    const first = await ws.duplicate(file)
    const second = await ws.duplicate(file)
    expect([infoOf(first).name, infoOf(second).name]).toEqual(['Study (copy)', 'Study (copy 2)'])
    expect(new Set([file, first, second].map((f) => infoOf(f).id)).size).toBe(3)
  })

  it('importing the same project twice gives "X" and "X (2)", the second with a new id', async () => {
    const ws = newWorkspace()
    const src = path.join(root, `shared-${counter}.basiscope`)
    projectWithData(src, 'Shared')
    const a = await ws.importProject(src)
    const b = await ws.importProject(src)
    expect(infoOf(a)).toMatchObject({ name: 'Shared', id: infoOf(src).id })
    expect(infoOf(b).name).toBe('Shared (2)')
    expect(infoOf(b).id).not.toBe(infoOf(a).id)
    expect(ws.findById(infoOf(b).id)).toBe(b)
    expect(ws.findById('no-such-id')).toBeNull()
  })
})

describe('trash', () => {
  it('lists deleted projects, restores them and deletes them for good', async () => {
    const ws = newWorkspace()
    const keep = ws.create('Keep')
    const gone = ws.create('Gone')
    const id = infoOf(keep).id
    const trashedKeep = ws.delete(keep, { toTrash: true }) as string
    ws.delete(gone, { toTrash: true })
    expect(ws.list()).toEqual([])
    const trash = ws.trashed()
    expect(trash.map((t) => t.name).sort()).toEqual(['Gone', 'Keep'])
    const entry = trash.find((t) => t.name === 'Keep')!
    expect(entry.path).toBe(trashedKeep)
    expect(Date.parse(entry.trashedAt)).toBeGreaterThan(Date.now() - 60_000)

    // Meanwhile another project took the name: the restored one is numbered, id kept.
    ws.create('Keep')
    const restored = await ws.restore(trashedKeep)
    expect(path.dirname(restored)).toBe(ws.dir)
    expect(infoOf(restored)).toMatchObject({ name: 'Keep (2)', id })
    expect(ws.trashed().map((t) => t.name)).toEqual(['Gone'])

    const gonePath = ws.trashed()[0].path
    expect(() => ws.delete(gonePath, { toTrash: true })).toThrow(/already in the trash/)
    expect(ws.delete(gonePath, { toTrash: false })).toBeNull()
    expect(ws.trashed()).toEqual([])
    await expect(ws.restore(gonePath)).rejects.toThrow(/does not exist/)
    await expect(ws.restore(restored)).rejects.toThrow(/is not a project in the trash/)
  })
})
