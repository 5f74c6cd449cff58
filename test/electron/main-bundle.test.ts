import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { IPC_CHANNELS } from '../../core/api/bridge.ts'
import type { Reply } from '../../core/api/contract.ts'
import type { RunSummary } from '../../core/api/summary.ts'
import {
  APP_ENTRY_URL,
  APP_SCHEME_PRIVILEGES,
  CONTENT_SECURITY_POLICY,
  windowOptions,
} from '../../electron/security.ts'
import { buildBundle, tempOutDir } from './build-bundle.ts'
import { type FakeElectron, FakeFrame, emitCancellable } from './fake-electron.ts'

vi.mock('electron', async () => (await import('./fake-electron.ts')).createFakeElectron())

/**
 * The built main, service and worker bundles (out/main/{index,service,worker}.js, built into a
 * temp dir with the project's electron-vite config) run under Node against a recording
 * stand-in for Electron's API: what the shell asks Electron to do, commands answered by the
 * service in its own utility process, and a real run through the worker bundle.
 */

/** Every module a bundle file imports, itself included, following relative imports. */
function bundleImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*["']([^"']+)["']/g)) {
    if (m[1].startsWith('.')) bundleImports(join(dirname(file), m[1]), seen)
    else seen.add(m[1])
  }
  return seen
}
const tinyConfig = {
  data: { source: 'mnist-embedded', split: { kind: 'random', train: 400, test: 100, seed: 1 } },
  model: { source: 'train', hidden: [12, 8], epochs: 2, learningRate: 0.005 },
  rotation: { samples: 40, maxSteps: 12, budgetSeconds: 30 },
}

const ENV_KEYS = ['BASISCOPE_USER_DATA', 'BASISCOPE_WORKSPACE', 'ELECTRON_RENDERER_URL'] as const

let electron: FakeElectron
let outDir: string
let userData: string
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {}

const win = () => electron.windows[0]
const appEvent = () => ({ sender: win().webContents, senderFrame: win().webContents.mainFrame })
let nextId = 1
async function call(command: string, params: unknown = {}, event: unknown = appEvent()) {
  const handler = electron.ipcHandlers.get(IPC_CHANNELS.call)!
  return (await handler(event, { id: nextId++, command, params })) as Reply
}

beforeAll(async () => {
  outDir = tempOutDir('main')
  await buildBundle('main', join(outDir, 'main'))
  mkdirSync(join(outDir, 'renderer'))
  writeFileSync(join(outDir, 'renderer/index.html'), '<!doctype html><title>Basiscope</title>')
  userData = mkdtempSync(join(tmpdir(), 'basiscope-userdata-'))
  for (const key of ENV_KEYS) {
    savedEnv[key] = process.env[key]
    delete process.env[key]
  }
  process.env.BASISCOPE_USER_DATA = userData
  electron = (await import('electron')) as unknown as FakeElectron
  await import(/* @vite-ignore */ join(outDir, 'main/index.js'))
  await vi.waitFor(() => expect(electron.windows).toHaveLength(1), { timeout: 30_000 })
})

afterAll(async () => {
  for (const child of electron?.children ?? []) child.kill('SIGKILL')
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key]
    else process.env[key] = savedEnv[key]
  }
  if (outDir) rmSync(outDir, { recursive: true, force: true })
  if (userData) rmSync(userData, { recursive: true, force: true })
})

const events = () =>
  win()
    .webContents.sent.filter((s) => s.channel === IPC_CHANNELS.event)
    .map((s) => s.args[0] as { event: string; payload: { runId: number; status?: string } })

/** Starts a run over IPC and waits until it completed; its id. */
async function finishedRun(project: string, config: unknown): Promise<number> {
  const started = await call('runs.start', { project, config })
  expect(started).toMatchObject({ ok: true })
  const runId = (started as { value: { run: { id: number } } }).value.run.id
  await vi.waitFor(
    () => {
      const end = events().find(
        (e) =>
          e.event === 'run.status' &&
          e.payload.runId === runId &&
          ['completed', 'failed', 'cancelled'].includes(e.payload.status ?? ''),
      )
      expect(end?.payload.status).toBe('completed')
    },
    { timeout: 120_000, interval: 200 },
  )
  return runId
}

describe('main process (built bundle, Electron API stubbed)', () => {
  it('registers the app scheme, enforces the sandbox and honours BASISCOPE_USER_DATA before ready', () => {
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      APP_SCHEME_PRIVILEGES,
    ])
    expect(electron.app.enableSandbox).toHaveBeenCalled()
    expect(electron.app.setPath).toHaveBeenCalledWith('userData', userData)
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalled()
  })

  it('opens one hardened window on app:// with the built preload', () => {
    expect(win().options).toEqual(
      windowOptions(join(outDir, 'preload/index.cjs'), { devTools: true }),
    )
    expect(win().loaded).toEqual([APP_ENTRY_URL])
  })

  it('denies every permission and every request outside the app', () => {
    const { permission } = electron
    let granted: boolean | undefined
    permission.request!({}, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(permission.check!({}, 'clipboard-read', 'app://basiscope', {})).toBe(false)
    expect(permission.device!({})).toBe(false)
    const cancelled = (url: string) => {
      let result: boolean | undefined
      permission.beforeRequest!({ url }, (r) => (result = r.cancel))
      return result
    }
    expect(cancelled('https://cdn.example/x.js')).toBe(true)
    expect(cancelled('http://127.0.0.1:9000/')).toBe(true)
    expect(cancelled('app://basiscope/index.html')).toBe(false)
  })

  it('serves the renderer folder next to the bundle over app:// with the CSP', async () => {
    const handler = electron.protocolHandlers.get('app')!
    const page = await handler(new Request(APP_ENTRY_URL))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(await page.text()).toContain('<title>Basiscope</title>')
    expect((await handler(new Request('app://basiscope/%2e%2e%2fmain%2findex.js'))).status).toBe(
      403,
    )
  })

  it('blocks navigation away, new windows and webviews', () => {
    const contents = win().webContents
    expect(emitCancellable(contents, 'will-navigate', { url: 'https://evil.example/' })).toBe(true)
    expect(emitCancellable(contents, 'will-navigate', { url: 'file:///etc/passwd' })).toBe(true)
    expect(
      emitCancellable(contents, 'will-navigate', { url: 'app://basiscope/index.html#/x' }),
    ).toBe(false)
    expect(emitCancellable(contents, 'will-redirect', { url: 'http://evil.example/' })).toBe(true)
    expect(emitCancellable(contents, 'will-attach-webview')).toBe(true)
    expect(contents.windowOpenHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' })
    expect(contents.windowOpenHandler!({ url: 'http://example.org/' })).toEqual({ action: 'deny' })
    expect(electron.shell.openExternal).toHaveBeenCalledTimes(1)
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://example.org/')
  })

  it('answers the contract over IPC from the app page only', async () => {
    const info = await call('app.info')
    expect(info).toMatchObject({
      ok: true,
      value: { version: expect.any(String), workspace: join(userData, 'workspace') },
    })
    const bad = await call('projects.create', { name: 42 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    const handler = electron.ipcHandlers.get(IPC_CHANNELS.call)!
    const malformed = (await handler(appEvent(), { id: 9, command: 7 })) as Reply
    expect(malformed).toMatchObject({ id: 9, ok: false, error: { code: 'BAD_REQUEST' } })
    if (!malformed.ok) expect(malformed.error.message).toContain('command')

    const evilFrame = new FakeFrame('https://evil.example/')
    await expect(
      call('app.info', {}, { sender: win().webContents, senderFrame: evilFrame }),
    ).rejects.toThrow(/IPC refused/)
    const subframe = new FakeFrame('app://basiscope/index.html')
    subframe.parent = win().webContents.mainFrame
    await expect(
      call('app.info', {}, { sender: win().webContents, senderFrame: subframe }),
    ).rejects.toThrow(/subframe/)
    await expect(call('app.info', {}, { sender: {}, senderFrame: null })).rejects.toThrow(
      /IPC refused/,
    )
  })

  it('reads the presets from the checkout’s resources/presets', async () => {
    const presets = await call('config.presets')
    expect(presets.ok).toBe(true)
    if (presets.ok) expect((presets.value as { id: string }[]).length).toBeGreaterThan(0)
  })

  it('runs a job in a worker process through the worker bundle and streams its events', async () => {
    const created = await call('projects.create', { name: 'Desktop' })
    expect(created.ok).toBe(true)
    const project = (created as { value: { path: string } }).value.path
    const runId = await finishedRun(project, tinyConfig)
    expect(events().some((e) => e.event === 'job.progress')).toBe(true)
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith(
      join(outDir, 'main/worker.js'),
      [],
      expect.objectContaining({ serviceName: 'basiscope-job', stdio: 'pipe' }),
    )
    const artifacts = await call('artifacts.list', { project, runId })
    expect(artifacts.ok && (artifacts.value as unknown[]).length).toBeGreaterThan(0)
    // The project's cache crosses main both ways: the first run's baselines went back to the
    // service's file, and the next run of the model was started with them.
    const again = await finishedRun(project, {
      ...tinyConfig,
      rotation: { ...tinyConfig.rotation, init: 'random' },
    })
    const fromCache = async (id: number) => {
      const got = await call('runs.get', { project, runId: id })
      const summary = (got as { value: { summary: RunSummary } }).value.summary
      return summary.analyses.baselinesFromCache
    }
    expect([await fromCache(runId), await fromCache(again)]).toEqual([false, true])
  })

  it('keeps the service and its SQLite connections out of the main process', async () => {
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith(
      join(outDir, 'main/service.js'),
      [],
      expect.objectContaining({ serviceName: 'basiscope-service', stdio: 'pipe' }),
    )
    const mainImports = bundleImports(join(outDir, 'main/index.js'))
    expect([...mainImports].filter((m) => !m.startsWith('/'))).not.toContain('better-sqlite3')
    expect(bundleImports(join(outDir, 'main/service.js'))).toContain('better-sqlite3')
    // The project the job test created is read by the service process, through IPC.
    const listed = await call('projects.list')
    expect(listed).toMatchObject({ ok: true, value: [{ name: 'Desktop', runCount: 2 }] })
  })

  it('restarts a service process that died; the next command is answered', async () => {
    const forks = () =>
      electron.utilityProcess.fork.mock.calls.filter((c) => c[0].endsWith('service.js')).length
    const before = forks()
    const serviceChild = electron.children.find(
      (c) => c.spawnargs.at(-1) === join(outDir, 'main/service.js') && c.exitCode === null,
    )!
    serviceChild.kill('SIGKILL')
    await vi.waitFor(() => expect(forks()).toBe(before + 1), { timeout: 10_000 })
    await vi.waitFor(async () => expect((await call('projects.list')).ok).toBe(true), {
      timeout: 10_000,
    })
  })

  it('validates pick-path requests and opens native dialogs', async () => {
    const pick = electron.ipcHandlers.get(IPC_CHANNELS.pickPath)!
    await expect(pick(appEvent(), { kind: 'open-project' })).resolves.toBe('/picked/a.basiscope')
    await expect(pick(appEvent(), { kind: 'save-project', defaultName: 'x' })).resolves.toBeNull()
    await expect(pick(appEvent(), { kind: 'rm' })).rejects.toThrow(/kind/)
    const evil = { sender: win().webContents, senderFrame: new FakeFrame('https://evil.example/') }
    await expect(pick(evil, { kind: 'open-project' })).rejects.toThrow(/IPC refused/)
  })

  it('writes and imports only the paths the user just chose in a dialog', async () => {
    const pick = electron.ipcHandlers.get(IPC_CHANNELS.pickPath)!
    const created = await call('projects.create', { name: 'Granted' })
    const project = (created as { value: { path: string } }).value.path
    const destination = join(userData, 'chosen', 'Granted.basiscope')
    mkdirSync(dirname(destination), { recursive: true })

    // No dialog: refused in main, nothing written.
    const free = await call('projects.export', { path: project, destination })
    expect(free).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    if (!free.ok) expect(free.error.message).toContain('destination')
    expect(existsSync(destination)).toBe(false)

    // The save dialog's choice is written, once.
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: destination })
    await expect(pick(appEvent(), { kind: 'save-project', defaultName: 'Granted' })).resolves.toBe(
      destination,
    )
    expect(await call('projects.export', { path: project, destination })).toMatchObject({
      ok: true,
      value: { destination },
    })
    expect(existsSync(destination)).toBe(true)
    const again = await call('projects.export', { path: project, destination })
    expect(again).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })

    // A file outside the workspace is imported only as the open dialog's choice.
    const refused = await call('projects.import', { source: destination })
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    if (!refused.ok) expect(refused.error.message).toContain('source')
    electron.dialog.showOpenDialog.mockResolvedValueOnce({
      canceled: false,
      filePaths: [destination],
    })
    await expect(pick(appEvent(), { kind: 'open-project' })).resolves.toBe(destination)
    expect(await call('projects.import', { source: destination })).toMatchObject({ ok: true })
  })

  it('installs the menu, whose items send their action to the page', () => {
    const [[menu]] = electron.Menu.setApplicationMenu.mock.calls as [
      [{ template: MenuItemConstructorOptions[] }],
    ]
    const file = menu.template.find((m) => m.label === 'File')!
      .submenu as MenuItemConstructorOptions[]
    file.find((i) => i.id === 'project.new')!.click!(
      undefined as never,
      undefined,
      undefined as never,
    )
    expect(win().webContents.sent.at(-1)).toEqual({
      channel: IPC_CHANNELS.menu,
      args: ['project.new'],
    })
  })

  it('closes the service before quitting', async () => {
    expect(emitCancellable(electron.app, 'before-quit')).toBe(true)
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled(), { timeout: 10_000 })
    // Once closed, quitting proceeds.
    expect(emitCancellable(electron.app, 'before-quit')).toBe(false)
  })
})
