// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiClient, setApiClient } from '../api/client.ts'
import { useAppStore } from './app.ts'
import { fakeTransport } from '../test/fake-transport.ts'

describe('useAppStore notices and actions', () => {
  beforeEach(() => {
    setApiClient(new ApiClient(fakeTransport({}).transport))
    setActivePinia(createPinia())
  })

  it('drops notices whose state has passed, keeping the others', () => {
    const app = useAppStore()
    app.notify('error', 'Could not rename the run')
    app.notify('error', 'Cannot reach the Basiscope backend', 'connection')
    app.dismissScope('view')
    expect(app.notices.map((n) => n.message)).toEqual(['Cannot reach the Basiscope backend'])
    app.dismissScope('connection')
    expect(app.notices).toEqual([])
  })

  it('says where an action can be done when nothing here handles it', () => {
    const app = useAppStore()
    expect(app.perform('run.new')).toBe(false)
    expect(app.notices[0].message).toBe(
      'Open a project first: runs start in a project (Ctrl+N there)',
    )
    const off = app.onAction('run.new', () => app.notify('info', 'form open'))
    expect(app.perform('run.new')).toBe(true)
    expect(app.notices.at(-1)!.message).toBe('form open')
    off()
  })
})

describe('a tab the web server refuses', () => {
  afterEach(() => vi.unstubAllGlobals())

  function serverSays(token: 'valid' | 'missing' | 'invalid', message: string) {
    const fetch = vi.fn(
      async () => new Response(JSON.stringify({ id: null, ok: true, value: { token, message } })),
    )
    vi.stubGlobal('fetch', fetch)
    return fetch
  }

  it('shows what the server says to open instead of "cannot reach the backend"', async () => {
    const fake = fakeTransport({ 'app.info': () => ({}) })
    fake.setState('closed')
    setApiClient(new ApiClient(fake.transport))
    setActivePinia(createPinia())
    const fetch = serverSays('missing', 'This tab has no access token. Open the address …')
    const app = useAppStore()
    await app.start()
    expect(fetch).toHaveBeenCalledWith('/api/status', expect.anything())
    expect(app.access).toEqual({
      token: 'missing',
      message: 'This tab has no access token. Open the address …',
    })
    expect(app.notices).toEqual([])
    // Once connected (the right address opened), the message goes.
    fake.setState('open')
    expect(app.access).toBeNull()
  })

  it('says the server is unreachable when it does not answer at all', async () => {
    const fake = fakeTransport({})
    fake.setState('closed')
    setApiClient(new ApiClient(fake.transport))
    setActivePinia(createPinia())
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch')
      }),
    )
    const app = useAppStore()
    await app.start()
    expect(app.access).toBeNull()
    expect(app.notices[0].message).toMatch(/^Cannot reach the Basiscope backend/)
  })
})
