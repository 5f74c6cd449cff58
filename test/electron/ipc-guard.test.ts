import { describe, expect, it, vi } from 'vitest'
import type { Reply } from '../../core/api/contract.ts'
import { chosenPath, dialogFor, safeProjectFileName } from '../../electron/dialogs.ts'
import {
  IpcRefusedError,
  type SenderInfo,
  guardedCall,
  parsePickPathRequest,
  senderRefusal,
} from '../../electron/ipc-guard.ts'
import { APP_ORIGIN } from '../../electron/security.ts'

const origins = [APP_ORIGIN]
const app: SenderInfo = {
  fromMainWindow: true,
  isTopFrame: true,
  frameUrl: 'app://basiscope/index.html#/projects',
}

describe('IPC sender check', () => {
  it('accepts only the main window’s top frame showing the app', () => {
    expect(senderRefusal(app, origins)).toBeNull()
    expect(senderRefusal({ ...app, fromMainWindow: false }, origins)).toMatch(/not the Basiscope/)
    expect(senderRefusal({ ...app, isTopFrame: false }, origins)).toMatch(/subframe/)
    expect(senderRefusal({ ...app, frameUrl: null }, origins)).toMatch(/gone/)
    for (const url of [
      'https://evil.example/',
      'file:///tmp/x.html',
      'data:text/html,x',
      'app://other/index.html',
      'about:blank',
    ]) {
      expect(senderRefusal({ ...app, frameUrl: url }, origins), url).toMatch(/not the app/)
    }
  })
})

describe('basiscope:call', () => {
  const ok: Reply = { id: 1, ok: true, value: { version: '0.1.0' } }

  it('forwards a well-formed request unchanged and returns the reply exactly', async () => {
    const handle = vi.fn(async () => ok)
    const request = { id: 1, command: 'app.info', params: {} }
    await expect(guardedCall(app, request, origins, handle)).resolves.toBe(ok)
    expect(handle).toHaveBeenCalledWith(request)
  })

  it('passes the service’s own errors (unknown command, bad params) through as they are', async () => {
    const refusal: Reply = {
      id: 2,
      ok: false,
      error: { code: 'UNKNOWN_COMMAND', message: 'unknown command "nope"' },
    }
    const handle = vi.fn(async () => refusal)
    await expect(guardedCall(app, { id: 2, command: 'nope' }, origins, handle)).resolves.toBe(
      refusal,
    )
  })

  it('refuses foreign senders without reaching the service', async () => {
    const handle = vi.fn(async () => ok)
    const evil = { ...app, frameUrl: 'https://evil.example/' }
    await expect(
      guardedCall(evil, { id: 1, command: 'app.info' }, origins, handle),
    ).rejects.toThrow(IpcRefusedError)
    await expect(
      guardedCall({ ...app, isTopFrame: false }, { id: 1, command: 'app.info' }, origins, handle),
    ).rejects.toThrow(/subframe/)
    expect(handle).not.toHaveBeenCalled()
  })

  it.each([
    [null, '(request)'],
    ['app.info', '(request)'],
    [{ id: 1 }, 'command'],
    [{ id: 1, command: 42 }, 'command'],
    [{ id: { x: 1 }, command: 'app.info' }, 'id'],
    [{ id: 1, command: 'app.info', extra: true }, 'extra'],
  ])('answers the malformed %j with BAD_REQUEST naming %s', async (payload, field) => {
    const handle = vi.fn(async () => ok)
    const reply = await guardedCall(app, payload, origins, handle)
    expect(handle).not.toHaveBeenCalled()
    expect(reply.ok).toBe(false)
    if (reply.ok) return
    expect(reply.error.code).toBe('BAD_REQUEST')
    expect(reply.error.message).toContain(field)
    const id = (payload as { id?: unknown } | null)?.id
    expect(reply.id).toBe(typeof id === 'number' ? id : null)
  })

  it('turns a throwing service into an INTERNAL reply', async () => {
    const reply = await guardedCall(app, { id: 7, command: 'app.info' }, origins, async () => {
      throw new Error('boom')
    })
    expect(reply).toMatchObject({ id: 7, ok: false, error: { code: 'INTERNAL' } })
  })
})

describe('pickPath', () => {
  it('accepts the three request kinds', () => {
    expect(parsePickPathRequest({ kind: 'open-project' })).toEqual({ kind: 'open-project' })
    expect(parsePickPathRequest({ kind: 'save-project', defaultName: 'Study' })).toEqual({
      kind: 'save-project',
      defaultName: 'Study',
    })
    expect(parsePickPathRequest({ kind: 'directory', title: 'Export to' })).toEqual({
      kind: 'directory',
      title: 'Export to',
    })
  })

  it.each([
    [undefined, /pickPath/],
    [{ kind: 'delete-everything' }, /kind/],
    [{ kind: 'save-project' }, /defaultName/],
    [{ kind: 'save-project', defaultName: '' }, /defaultName/],
    [{ kind: 'directory', title: 'x'.repeat(201) }, /title/],
    [{ kind: 'open-project', defaultPath: '/etc' }, /defaultPath/],
  ])('refuses %j naming the field', (payload, field) => {
    expect(() => parsePickPathRequest(payload)).toThrow(field)
  })

  const dirs = { workspace: '/ws', exports: '/home/me/Downloads' }

  it('opens projects from the workspace and exports outside it, with project filters', () => {
    const open = dialogFor({ kind: 'open-project' }, dirs)
    expect(open).toMatchObject({
      kind: 'open',
      options: { defaultPath: '/ws', properties: ['openFile'] },
    })
    expect(open.options.filters?.[0]).toEqual({
      name: 'Basiscope project',
      extensions: ['basiscope'],
    })
    const save = dialogFor({ kind: 'save-project', defaultName: 'My study' }, dirs)
    expect(save).toMatchObject({
      kind: 'save',
      options: { defaultPath: '/home/me/Downloads/My study.basiscope' },
    })
    const dir = dialogFor({ kind: 'directory', title: 'Export run' }, dirs)
    expect(dir).toMatchObject({
      kind: 'open',
      options: {
        title: 'Export run',
        defaultPath: '/home/me/Downloads',
        properties: ['openDirectory', 'createDirectory'],
      },
    })
  })

  it('never lets a suggested name become a path', () => {
    expect(safeProjectFileName('../../etc/passwd')).toBe('_.._etc_passwd.basiscope')
    expect(safeProjectFileName('a\\b:c')).toBe('a_b_c.basiscope')
    expect(safeProjectFileName('..')).toBe('project.basiscope')
    expect(safeProjectFileName('study.basiscope')).toBe('study.basiscope')
    expect(
      dialogFor({ kind: 'save-project', defaultName: '/abs/x' }, dirs).options.defaultPath,
    ).toBe('/home/me/Downloads/_abs_x.basiscope')
  })

  it('maps dialog results to a path or null', () => {
    expect(chosenPath({ canceled: true, filePaths: ['/a'] })).toBeNull()
    expect(chosenPath({ canceled: false, filePaths: ['/a', '/b'] })).toBe('/a')
    expect(chosenPath({ canceled: false, filePath: '/s.basiscope' })).toBe('/s.basiscope')
    expect(chosenPath({ canceled: false, filePaths: [] })).toBeNull()
  })
})
