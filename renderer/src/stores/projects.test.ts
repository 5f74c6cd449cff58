// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProjectInfo } from '../../../core/api/records.ts'
import { ApiClient, setApiClient } from '../api/client.ts'
import { fakeTransport } from '../test/fake-transport.ts'
import { stubWebFiles } from '../test/web-files.ts'
import { isProject, projectName, useProjectsStore } from './projects.ts'

function info(name: string, id = `id-${name.toLowerCase()}`): ProjectInfo {
  return {
    path: `/ws/${name.toLowerCase()}.basiscope`,
    id,
    name,
    createdAt: '2025-01-01T00:00:00Z',
    lastActivity: '2025-01-02T00:00:00Z',
    runCount: 0,
    schemaVersion: 1,
    notes: '',
    notesUpdatedAt: null,
  }
}

type Item = Partial<ProjectInfo> & { path: string; error?: string; trashedAt?: string }

/** A workspace as the backend keeps it: projects named by id or path, a trash beside them. */
function setup() {
  let list: Item[] = [
    info('Alpha'),
    { path: '/ws/broken.basiscope', error: 'not a Basiscope project (file is not a database)' },
  ]
  let trash: Item[] = []
  const find = (ref: unknown) => list.find((x) => x.id === ref || x.path === ref)
  const replace = (p: Item) => (list = list.map((x) => (x.id === p.id ? p : x)))
  const fake = fakeTransport({
    'projects.list': () => list,
    'projects.recent': () => [
      { path: '/gone.basiscope', name: 'Gone', openedAt: '2025-01-01T00:00:00Z', exists: false },
    ],
    'projects.trash': () => trash,
    'projects.create': ({ name }) => {
      const p = info(name as string)
      list = [...list, p]
      return p
    },
    'projects.open': ({ path }) => {
      const p = find(path)
      if (!p || p.error) throw { code: 'INVALID_FILE', message: `${path}: not a project` }
      return p
    },
    'projects.rename': ({ path, name }) => {
      const p = { ...find(path)!, name: name as string, path: `/ws/${name}.basiscope` }
      replace(p)
      return p
    },
    'projects.setNotes': ({ path, notes }) => {
      const p = { ...find(path)!, notes: notes as string, notesUpdatedAt: '2025-02-01T00:00:00Z' }
      replace(p)
      return p
    },
    'projects.delete': ({ path, toTrash }) => {
      const p = find(path) ?? trash.find((x) => x.path === path)!
      list = list.filter((x) => x !== p)
      trash = trash.filter((x) => x.path !== path)
      if (toTrash) trash = [{ ...p, path: `/ws/.trash/${p.name}.basiscope`, trashedAt: 'now' }]
      return null
    },
    'projects.restore': ({ path }) => {
      const t = trash.find((x) => x.path === path)!
      trash = trash.filter((x) => x !== t)
      const p = { ...info(t.name!, t.id) }
      list = [...list, p]
      return p
    },
    'projects.export': ({ destination }) => ({ destination }),
  })
  setApiClient(new ApiClient(fake.transport))
  setActivePinia(createPinia())
  return { fake, store: useProjectsStore() }
}

describe('useProjectsStore', () => {
  beforeEach(() => setApiClient(null))
  afterEach(() => {
    delete window.basiscope
    vi.unstubAllGlobals()
  })

  it('lists projects (unreadable ones with their error), recents and the trash', async () => {
    const { store } = setup()
    await store.refresh()
    expect(store.list.map((p) => p.name ?? p.error)).toEqual([
      'Alpha',
      'not a Basiscope project (file is not a database)',
    ])
    expect(store.recent[0].exists).toBe(false)
    expect(store.trash).toEqual([])
    store.filter = 'broken'
    expect(store.filtered.map((p) => p.path)).toEqual(['/ws/broken.basiscope'])
    expect(projectName(store.filtered[0])).toBe('broken')
  })

  it('renames by id: the file moves, the id (what links and settings name) stays', async () => {
    const { store, fake } = setup()
    await store.refresh()
    const created = await store.create('  Beta ')
    expect(fake.callsOf('projects.create')).toEqual([{ name: 'Beta' }])
    await store.open(created.id)
    expect(store.current?.name).toBe('Beta')
    const renamed = await store.rename(created.id, 'Gamma')
    expect(renamed.path).toBe('/ws/Gamma.basiscope')
    expect(store.current).toMatchObject({ id: created.id, name: 'Gamma' })
    expect(isProject(store.current, created.id)).toBe(true)
    expect(isProject(store.current, renamed.path)).toBe(true)
    // Already open: ensure() asks the backend nothing.
    const opens = fake.callsOf('projects.open').length
    expect((await store.ensure(created.id))?.name).toBe('Gamma')
    expect(fake.callsOf('projects.open')).toHaveLength(opens)
  })

  it('saves notes and shows them where the project is listed', async () => {
    const { store } = setup()
    await store.refresh()
    await store.open('id-alpha')
    await store.setNotes('id-alpha', 'baseline sweep\nlr 1e-3 looked best')
    expect(store.current?.notes).toBe('baseline sweep\nlr 1e-3 looked best')
    expect(store.list[0].notes).toBe('baseline sweep\nlr 1e-3 looked best')
    store.filter = 'sweep'
    expect(store.filtered.map((p) => p.id)).toEqual(['id-alpha'])
  })

  it('moves a project to the trash, restores it, and deletes one for good', async () => {
    const { store, fake } = setup()
    await store.refresh()
    await store.open('id-alpha')
    await store.remove('id-alpha')
    expect(fake.callsOf('projects.delete')).toEqual([{ path: 'id-alpha', toTrash: true }])
    expect(store.current).toBeNull()
    expect(store.list.map((p) => p.id)).not.toContain('id-alpha')
    expect(store.trash.map((t) => t.name)).toEqual(['Alpha'])

    const back = await store.restore(store.trash[0].path)
    expect(back.id).toBe('id-alpha')
    expect(store.trash).toEqual([])
    expect(store.list.map((p) => p.id)).toContain('id-alpha')

    await store.remove('id-alpha')
    await store.purge(store.trash[0].path)
    expect(fake.callsOf('projects.delete').at(-1)).toEqual({
      path: '/ws/.trash/Alpha.basiscope',
      toTrash: false,
    })
    expect(store.trash).toEqual([])
  })

  it('keeps the error of a project that cannot be opened', async () => {
    const { store } = setup()
    expect(await store.open('/ws/broken.basiscope')).toBeNull()
    expect(store.currentError).toBe('/ws/broken.basiscope: not a project')
  })

  it('exports through the native dialog in Electron', async () => {
    const { store, fake } = setup()
    await store.refresh()
    expect(store.canPickPaths).toBe(false)
    expect(await store.pickImportSource()).toBeNull()
    const pickPath = vi.fn(async () => '/picked.basiscope')
    window.basiscope = { call: vi.fn(), onEvent: () => () => {}, onMenu: () => () => {}, pickPath }
    expect(await store.pickImportSource()).toBe('/picked.basiscope')
    expect(pickPath).toHaveBeenCalledWith({ kind: 'open-project' })
    expect(await store.exportProject('id-alpha')).toBe('Exported to /picked.basiscope')
    expect(pickPath).toHaveBeenLastCalledWith({
      kind: 'save-project',
      defaultName: 'alpha.basiscope',
    })
    expect(fake.callsOf('projects.export')).toEqual([
      { path: 'id-alpha', destination: '/picked.basiscope', overwrite: true },
    ])
    // A cancelled dialog exports nothing.
    pickPath.mockResolvedValueOnce(null as unknown as string)
    expect(await store.exportProject('id-alpha')).toBeNull()
    expect(fake.callsOf('projects.export')).toHaveLength(1)
  })

  it('downloads and uploads in the browser, with the tab’s token', async () => {
    const { store } = setup()
    sessionStorage.setItem('basiscope.token', 'secret')
    const web = stubWebFiles((url) =>
      url.startsWith('/files/export')
        ? { download: '/files/download/T1', filename: 'alpha.basiscope', bytes: 2 * 1024 ** 2 }
        : info('Uploaded'),
    )
    expect(await store.exportProject('id-alpha')).toBe('Downloading alpha.basiscope (2.0 MB)')
    expect(web.requests[0].url).toBe('/files/export?project=id-alpha')
    expect(web.requests[0].init.method).toBe('POST')
    expect(web.tokenOf(0)).toBe('secret')
    expect(web.clicked).toEqual(['/files/download/T1 as alpha.basiscope'])

    const file = new File([new Uint8Array([1, 2, 3])], 'my study.basiscope')
    expect((await store.importProject(file)).name).toBe('Uploaded')
    expect(web.requests[1].url).toBe('/files/import?filename=my%20study.basiscope')
    expect(web.requests[1].init.body).toBe(file)
    web.restore()
  })

  it('says what the server refused, in its words', async () => {
    const { store } = setup()
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(
            JSON.stringify({
              id: null,
              ok: false,
              error: { code: 'INVALID_FILE', message: 'x.basiscope: not a Basiscope project' },
            }),
            { status: 400 },
          ),
      ),
    )
    await expect(store.importProject(new File(['x'], 'x.basiscope'))).rejects.toThrow(
      'x.basiscope: not a Basiscope project',
    )
  })
})
