// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProjectInfo } from '../../../core/api/records.ts'
import { ApiClient, setApiClient } from '../api/client.ts'
import { fakeTransport } from '../test/fake-transport.ts'
import { useProjectsStore } from './projects.ts'

function info(name: string, path = `/ws/${name.toLowerCase()}.basiscope`): ProjectInfo {
  return {
    path,
    id: name,
    name,
    createdAt: '2025-01-01T00:00:00Z',
    lastActivity: '2025-01-02T00:00:00Z',
    runCount: 0,
    schemaVersion: 1,
    notes: '',
    notesUpdatedAt: null,
  }
}

function setup() {
  let list: { path: string; name?: string; error?: string }[] = [
    info('Alpha'),
    { path: '/ws/broken.basiscope', error: 'not a Basiscope project (file is not a database)' },
  ]
  const fake = fakeTransport({
    'projects.list': () => list,
    'projects.recent': () => [
      { path: '/gone.basiscope', name: 'Gone', openedAt: '2025-01-01T00:00:00Z', exists: false },
    ],
    'projects.create': ({ name }) => {
      const p = info(name as string)
      list = [...list, p]
      return p
    },
    'projects.open': ({ path }) => {
      const p = list.find((x) => x.path === path)
      if (!p || p.error) throw { code: 'INVALID_FILE', message: `${path}: not a project` }
      return p
    },
    'projects.rename': ({ path, name }) => {
      const p = info(name as string)
      list = list.map((x) => (x.path === path ? p : x))
      return p
    },
    'projects.delete': ({ path }) => {
      list = list.filter((x) => x.path !== path)
      return null
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
  })

  it('lists projects (unreadable ones with their error) and recents', async () => {
    const { store } = setup()
    await store.refresh()
    expect(store.list.map((p) => p.name ?? p.error)).toEqual([
      'Alpha',
      'not a Basiscope project (file is not a database)',
    ])
    expect(store.recent[0].exists).toBe(false)
    store.filter = 'broken'
    expect(store.filtered.map((p) => p.path)).toEqual(['/ws/broken.basiscope'])
  })

  it('creates with a trimmed name, opens, renames (the path moves) and deletes to the trash', async () => {
    const { store, fake } = setup()
    await store.refresh()
    const created = await store.create('  Beta ')
    expect(fake.callsOf('projects.create')).toEqual([{ name: 'Beta' }])
    expect(store.list.some((p) => p.path === created.path)).toBe(true)
    await store.open(created.path)
    expect(store.current?.name).toBe('Beta')
    const renamed = await store.rename(created.path, 'Gamma')
    expect(renamed.path).toBe('/ws/gamma.basiscope')
    expect(store.current?.path).toBe('/ws/gamma.basiscope')
    await store.remove(renamed.path)
    expect(fake.callsOf('projects.delete')).toEqual([{ path: renamed.path, toTrash: true }])
    expect(store.current).toBeNull()
  })

  it('keeps the error of a project that cannot be opened', async () => {
    const { store } = setup()
    expect(await store.open('/ws/broken.basiscope')).toBeNull()
    expect(store.currentError).toBe('/ws/broken.basiscope: not a project')
  })

  it('uses the native pickers only in Electron', async () => {
    const { store } = setup()
    expect(store.canPickPaths).toBe(false)
    expect(await store.pickImportSource()).toBeNull()
    const pickPath = vi.fn(async () => '/picked.basiscope')
    window.basiscope = {
      call: vi.fn(),
      onEvent: () => () => {},
      onMenu: () => () => {},
      pickPath,
    }
    expect(await store.pickImportSource()).toBe('/picked.basiscope')
    expect(pickPath).toHaveBeenCalledWith({ kind: 'open-project' })
    await store.pickExportDestination('/ws/alpha.basiscope')
    expect(pickPath).toHaveBeenLastCalledWith({
      kind: 'save-project',
      defaultName: 'alpha.basiscope',
    })
    expect(await store.exportProject('/ws/alpha.basiscope', '/picked.basiscope')).toBe(
      '/picked.basiscope',
    )
  })
})
