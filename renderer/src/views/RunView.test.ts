// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiClient, setApiClient } from '../api/client.ts'
import { useAppStore } from '../stores/app.ts'
import { fakeTransport, flush, runRecord } from '../test/fake-transport.ts'
import RunView from './RunView.vue'

const P = '/ws/study.basiscope'
/** The project's stable id: what the run page's address names it by. */
const ID = 'study-id'

const projectInfo = {
  id: ID,
  name: 'study',
  createdAt: '',
  lastActivity: '',
  runCount: 1,
  schemaVersion: 1,
  notes: '',
  notesUpdatedAt: null,
}

async function mountRunPage() {
  const fake = fakeTransport({
    'runs.get': () => ({
      run: runRecord(3, { status: 'running', name: 'long one' }),
      summary: null,
    }),
    'artifacts.list': () => [],
    'runs.metrics': () => ({}),
    'projects.open': ({ path }) => ({ ...projectInfo, path: path === ID ? P : path }),
    'jobs.list': () => [
      { jobId: 'job-3', project: P, projectId: ID, runId: 3, state: 'running', queuedAt: '' },
    ],
    'jobs.cancel': () => null,
  })
  setApiClient(new ApiClient(fake.transport))
  const pinia = createPinia()
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'projects', component: { render: () => null } },
      { path: '/run', name: 'run', component: RunView },
      { path: '/project', name: 'project', component: { render: () => null } },
    ],
  })
  await router.push({ name: 'run', query: { project: ID, run: '3' } })
  const wrapper = mount(RunView, { global: { plugins: [pinia, router], stubs: { EChart: true } } })
  await flushPromises()
  return { fake, wrapper, router, app: useAppStore(pinia) }
}

describe('RunView shortcuts', () => {
  it('asks before Ctrl+. cancels the run in view', async () => {
    const { fake, wrapper, app } = await mountRunPage()
    expect(document.title).toBe('#3 long one — study — Basiscope')
    app.perform('run.cancel')
    await flush()
    expect(wrapper.text()).toContain('Cancel run #3?')
    expect(fake.callsOf('jobs.cancel')).toEqual([])

    await wrapper.get('[data-testid="confirm-dismiss"]').trigger('click')
    await flush()
    expect(wrapper.text()).not.toContain('Cancel run #3?')
    expect(fake.callsOf('jobs.cancel')).toEqual([])

    app.perform('run.cancel')
    await flush()
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flush()
    expect(fake.callsOf('jobs.cancel')).toEqual([{ jobId: 'job-3' }])
    wrapper.unmount()
  })

  it('takes Ctrl+N and Ctrl+Shift+C to the run’s project instead of "nothing to do here"', async () => {
    const { wrapper, router, app } = await mountRunPage()
    expect(app.perform('run.new')).toBe(true)
    await flush()
    expect(router.currentRoute.value.query).toEqual({ project: ID, new: '1' })
    await router.push({ name: 'run', query: { project: ID, run: '3' } })
    expect(app.perform('view.compare')).toBe(true)
    await flush()
    expect(router.currentRoute.value.query).toEqual({ project: ID, select: '3' })
    expect(app.notices).toEqual([])
    wrapper.unmount()
  })
})
