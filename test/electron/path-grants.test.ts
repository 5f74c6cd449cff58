import { describe, expect, it, vi } from 'vitest'
import type { PickPathRequest } from '../../core/api/bridge.ts'
import { FILE_PARAMS, fileParamsOf } from '../../core/api/commands/file-params.ts'
import { commands, type Reply } from '../../core/api/contract.ts'
import { type SenderInfo, guardedCall } from '../../electron/ipc-guard.ts'
import {
  COPYING_READS,
  GRANT_TTL_MS,
  MAX_GRANTS,
  PathGrants,
  WRITE_DIALOGS,
  isInside,
} from '../../electron/path-grants.ts'
import { APP_ORIGIN } from '../../electron/security.ts'

const WS = '/home/me/.config/Basiscope/workspace'
const SAVE: PickPathRequest = { kind: 'save-project', defaultName: 'Study' }
const OPEN: PickPathRequest = { kind: 'open-project' }
const FOLDER: PickPathRequest = { kind: 'directory', title: 'Export run' }
const app: SenderInfo = { fromMainWindow: true, isTopFrame: true, frameUrl: 'app://basiscope/' }

function clock() {
  let t = 1_000_000
  return { now: () => t, advance: (ms: number) => (t += ms) }
}
let nextId = 1
const req = (command: string, params: unknown) => ({ id: nextId++, command, params })
const exportTo = (destination?: string, extra: object = {}) =>
  req('projects.export', { path: 'p1', ...(destination ? { destination } : {}), ...extra })
const runExportTo = (directory: string, extra: object = {}) =>
  req('runs.export', { project: 'p1', runId: 1, directory, ...extra })
const hasOverwrite = (command: 'projects.export' | 'runs.export') =>
  Object.hasOwn(commands[command].params.shape, 'overwrite')

describe('path grants: writes', () => {
  it('refuses a write to a path no dialog granted, naming the field', () => {
    const grants = new PathGrants()
    const refused = grants.admit(exportTo('/home/me/.bashrc'), WS)
    expect(refused).toMatchObject({ ok: false, field: 'destination' })
    if (!refused.ok) expect(refused.message).toMatch(/^destination: .*\.bashrc was not just chosen/)
    expect(grants.admit(runExportTo('/etc'), WS)).toMatchObject({ ok: false, field: 'directory' })
  })

  it('refuses a write the page leaves to the service’s default place', () => {
    const refused = new PathGrants().admit(exportTo(), WS)
    expect(refused).toMatchObject({ ok: false, field: 'destination' })
    if (!refused.ok) expect(refused.message).toContain('choose where to write in a save dialog')
  })

  it('admits exactly the chosen path, once', () => {
    const grants = new PathGrants()
    grants.record(SAVE, '/home/me/Downloads/Study.basiscope')
    expect(grants.admit(exportTo('/home/me/Downloads/Other.basiscope'), WS).ok).toBe(false)
    expect(grants.pending).toBe(1)
    expect(grants.admit(exportTo('/home/me/Downloads/Study.basiscope'), WS).ok).toBe(true)
    expect(grants.pending).toBe(0)
    expect(grants.admit(exportTo('/home/me/Downloads/Study.basiscope'), WS).ok).toBe(false)
  })

  it('compares paths as the service resolves them (against the workspace, normalised)', () => {
    const grants = new PathGrants()
    grants.record(SAVE, '/home/me/Downloads/Study.basiscope')
    expect(grants.admit(exportTo('/home/me/Downloads/x/../Study.basiscope'), WS).ok).toBe(true)
    grants.record(SAVE, `${WS}/../out.basiscope`)
    expect(grants.admit(exportTo('../out.basiscope'), WS).ok).toBe(true)
  })

  it('lapses after the grant’s lifetime', () => {
    const time = clock()
    const grants = new PathGrants({ now: time.now })
    grants.record(SAVE, '/d/a.basiscope')
    time.advance(GRANT_TTL_MS + 1)
    expect(grants.pending).toBe(0)
    expect(grants.admit(exportTo('/d/a.basiscope'), WS).ok).toBe(false)
    grants.record(SAVE, '/d/a.basiscope')
    time.advance(GRANT_TTL_MS - 1)
    expect(grants.admit(exportTo('/d/a.basiscope'), WS).ok).toBe(true)
  })

  it('is bound to the kind of dialog that granted it', () => {
    const grants = new PathGrants()
    grants.record(OPEN, '/d/a.basiscope')
    grants.record(FOLDER, '/d/a.basiscope')
    expect(grants.admit(exportTo('/d/a.basiscope'), WS).ok).toBe(false)
    grants.record(SAVE, '/d/run')
    expect(grants.admit(runExportTo('/d/run'), WS).ok).toBe(false)
    grants.record(FOLDER, '/d/run')
    expect(grants.admit(runExportTo('/d/run'), WS).ok).toBe(true)
  })

  it('keeps a bounded number of unused grants, the newest', () => {
    const grants = new PathGrants()
    for (let i = 0; i < MAX_GRANTS + 5; i++) grants.record(SAVE, `/d/${i}.basiscope`)
    expect(grants.pending).toBe(MAX_GRANTS)
    expect(grants.admit(exportTo('/d/0.basiscope'), WS).ok).toBe(false)
    expect(grants.admit(exportTo(`/d/${MAX_GRANTS + 4}.basiscope`), WS).ok).toBe(true)
  })

  it('carries the save dialog’s overwrite confirmation; a folder dialog confirms none', () => {
    const grants = new PathGrants()
    grants.record(SAVE, '/d/a.basiscope')
    const admitted = grants.admit(exportTo('/d/a.basiscope'), WS)
    expect(admitted.ok).toBe(true)
    // Applies once projects.export has its `overwrite` param (D5); until then nothing is added.
    const params = admitted.ok ? (admitted.request.params as { overwrite?: boolean }) : null
    expect(params?.overwrite).toBe(hasOverwrite('projects.export') ? true : undefined)
    grants.record(SAVE, '/d/b.basiscope')
    const declined = grants.admit(exportTo('/d/b.basiscope', { overwrite: false }), WS)
    expect(declined.ok && (declined.request.params as { overwrite?: boolean }).overwrite).toBe(
      false,
    )

    grants.record(FOLDER, '/d/run')
    const forced = grants.admit(runExportTo('/d/run', { overwrite: true }), WS)
    if (hasOverwrite('runs.export')) {
      expect(forced).toMatchObject({ ok: false, field: 'overwrite' })
      expect(grants.pending).toBe(1) // a refused request uses up nothing
    } else {
      expect(forced.ok).toBe(true) // the service refuses the unknown param itself
    }
  })
})

describe('path grants: reads that copy a file into the workspace', () => {
  it('admit the workspace, and elsewhere only an open dialog’s choice, once', () => {
    const grants = new PathGrants()
    const importFrom = (source: string) => req('projects.import', { source })
    expect(grants.admit(importFrom(`${WS}/sub/a.basiscope`), WS).ok).toBe(true)
    expect(grants.admit(importFrom('sub/a.basiscope'), WS).ok).toBe(true)
    expect(grants.admit(req('projects.restore', { path: `${WS}/.trash/a.basiscope` }), WS).ok).toBe(
      true,
    )
    const outside = grants.admit(importFrom('/home/me/.mozilla/cookies.sqlite'), WS)
    expect(outside).toMatchObject({ ok: false, field: 'source' })
    if (!outside.ok) expect(outside.message).toMatch(/outside the workspace/)
    expect(grants.admit(importFrom(`${WS}/../secret.sqlite`), WS).ok).toBe(false)
    expect(grants.admit(req('projects.restore', { path: '/etc/x' }), WS)).toMatchObject({
      ok: false,
      field: 'path',
    })
    grants.record(SAVE, '/home/me/in.basiscope')
    expect(grants.admit(importFrom('/home/me/in.basiscope'), WS).ok).toBe(false)
    grants.record(OPEN, '/home/me/in.basiscope')
    expect(grants.admit(importFrom('/home/me/in.basiscope'), WS).ok).toBe(true)
    expect(grants.admit(importFrom('/home/me/in.basiscope'), WS).ok).toBe(false)
  })

  it('tells inside from outside the workspace', () => {
    expect(isInside('/ws', '/ws')).toBe(true)
    expect(isInside('/ws', '/ws/a/b')).toBe(true)
    expect(isInside('/ws', '/ws/..a')).toBe(true)
    expect(isInside('/ws', 'a/../b')).toBe(true)
    expect(isInside('/ws', '/ws/../x')).toBe(false)
    expect(isInside('/ws', '/ws2/x')).toBe(false)
    expect(isInside('/ws', '../x')).toBe(false)
    expect(isInside('/ws', '/')).toBe(false)
  })
})

describe('path grants: the declared file params', () => {
  it('every write param has the dialog that grants it, every copying read is a read param', () => {
    for (const [command, params] of Object.entries(FILE_PARAMS)) {
      for (const p of params ?? []) {
        if (p.access === 'write')
          expect(WRITE_DIALOGS, `${command}.${p.field}`).toHaveProperty([`${command}.${p.field}`])
      }
    }
    for (const key of COPYING_READS) {
      const [domain, verb, field] = key.split('.')
      const params = FILE_PARAMS[`${domain}.${verb}` as keyof typeof FILE_PARAMS] ?? []
      expect(params.find((p) => p.field === field)?.access, key).toBe('read')
    }
  })

  // Project references join FILE_PARAMS with their own access kind (trust-web's D5 work).
  const declaresProjectRefs = fileParamsOf('projects.open').some(
    (p) => p.access !== 'read' && p.access !== 'write',
  )
  it.skipIf(!declaresProjectRefs)('confines project references to the workspace', () => {
    const grants = new PathGrants()
    expect(grants.admit(req('projects.open', { path: 'a.basiscope' }), WS).ok).toBe(true)
    expect(grants.admit(req('projects.open', { path: 'b93f0c2e' }), WS).ok).toBe(true)
    expect(grants.admit(req('projects.open', { path: '/home/me/x.basiscope' }), WS)).toMatchObject({
      ok: false,
      field: 'path',
    })
  })

  it('leaves commands without path params alone', () => {
    const request = req('runs.list', { project: 'p1' })
    expect(new PathGrants().admit(request, WS)).toEqual({ ok: true, request })
  })
})

describe('basiscope:call with path grants', () => {
  const ok: Reply = { id: 1, ok: true, value: {} }

  it('refuses an ungranted write with INVALID_ARGUMENT naming the field, before the service', async () => {
    const handle = vi.fn(async () => ok)
    const grants = new PathGrants()
    const request = exportTo('/etc/passwd')
    const reply = await guardedCall(app, request, [APP_ORIGIN], handle, (r) => grants.admit(r, WS))
    expect(handle).not.toHaveBeenCalled()
    expect(reply).toMatchObject({ id: request.id, ok: false, error: { code: 'INVALID_ARGUMENT' } })
    if (!reply.ok) {
      expect(reply.error.message).toMatch(/^projects\.export refused: destination: /)
      expect(reply.error.details).toEqual([{ path: 'destination', message: expect.any(String) }])
    }
  })

  it('forwards a granted write (unchanged unless the dialog confirmed an overwrite)', async () => {
    const handle = vi.fn(async () => ok)
    const grants = new PathGrants()
    grants.record(FOLDER, '/d/run')
    const request = runExportTo('/d/run')
    await guardedCall(app, request, [APP_ORIGIN], handle, (r) => grants.admit(r, WS))
    expect(handle).toHaveBeenCalledWith(request)
  })
})
