// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
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
