// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiClient, setApiClient } from '../api/client.ts'
import { fakeTransport, flush, runRecord } from '../test/fake-transport.ts'
import ProjectView from './ProjectView.vue'

const P = '/ws/study.basiscope'
const ID = 'study-id'
const info = {
  path: P,
  id: ID,
  name: 'study',
  createdAt: '',
  lastActivity: '',
  runCount: 1,
  schemaVersion: 1,
  notes: '',
  notesUpdatedAt: null,
}

async function setup() {
  const fake = fakeTransport({
    'projects.open': ({ path }) => {
      if (path !== P && path !== ID) throw { code: 'NOT_FOUND', message: `no project ${path}` }
      return info
    },
    'runs.list': () => [runRecord(1, { name: 'tuned' })],
    'jobs.list': () => [],
    'config.defaults': () => ({}),
    'config.presets': () => [],
    'config.validate': ({ config }) => ({ ok: true, config, issues: [] }),
  })
  setApiClient(new ApiClient(fake.transport))
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'projects', component: { render: () => null } },
      { path: '/project', name: 'project', component: ProjectView },
      { path: '/run', name: 'run', component: { render: () => null } },
    ],
  })
  return { fake, router, pinia: createPinia() }
}

describe('ProjectView', () => {
  it('takes a path from an older link and shows the project under its id, opened once', async () => {
    const { fake, router, pinia } = await setup()
    await router.push({ name: 'project', query: { path: P } })
    const w = mount(ProjectView, { global: { plugins: [pinia, router], stubs: { EChart: true } } })
    await flushPromises()
    await flush()
    expect(router.currentRoute.value.query).toEqual({ project: ID })
    expect(fake.callsOf('projects.open')).toEqual([{ path: P }])
    expect(w.get('[data-testid="project-title"]').text()).toContain('study')
    w.unmount()
  })

  it('reads the runs again and takes a clone request when the user comes back to it', async () => {
    const { fake, router, pinia } = await setup()
    await router.push({ name: 'project', query: { project: ID } })
    const first = mount(ProjectView, {
      global: { plugins: [pinia, router], stubs: { EChart: true } },
    })
    await flushPromises()
    first.unmount()
    // Back from a run page with "Clone this run": the project is already open in the store.
    await router.push({ name: 'project', query: { project: ID, clone: '1' } })
    const again = mount(ProjectView, {
      global: { plugins: [pinia, router], stubs: { EChart: true } },
    })
    await flushPromises()
    await flush()
    expect(fake.callsOf('runs.list')).toHaveLength(2)
    expect(again.find('[data-testid="new-run-panel"]').exists()).toBe(true)
    expect(router.currentRoute.value.query).toEqual({ project: ID })
    again.unmount()
  })
})
