import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { BRIDGE_GLOBAL, IPC_CHANNELS, type BasiscopeBridge } from '../../core/api/bridge.ts'
import { buildBundle, tempOutDir } from './build-bundle.ts'

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: {
    invoke: vi.fn(async () => ({ id: 1, ok: true, value: null })),
    on: vi.fn(),
    removeListener: vi.fn(),
  },
}))
vi.mock('electron', () => electron)

const BRIDGE_KEYS = ['call', 'onEvent', 'onMenu', 'pickPath']

describe('preload (electron mocked)', () => {
  let bridge: BasiscopeBridge

  beforeAll(async () => {
    await import('../../electron/preload.ts')
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce()
    const [name, value] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [
      string,
      BasiscopeBridge,
    ]
    expect(name).toBe(BRIDGE_GLOBAL)
    bridge = value
  })
  beforeEach(() => {
    electron.ipcRenderer.invoke.mockClear()
    electron.ipcRenderer.on.mockClear()
    electron.ipcRenderer.removeListener.mockClear()
  })

  it('exposes exactly call, onEvent, onMenu and pickPath — no ipcRenderer', () => {
    expect(Object.keys(bridge).sort()).toEqual(BRIDGE_KEYS.sort())
    for (const key of BRIDGE_KEYS)
      expect(typeof bridge[key as keyof BasiscopeBridge]).toBe('function')
    expect(Object.values(bridge)).not.toContain(electron.ipcRenderer)
  })

  it('invokes the call and pick-path channels with the request as given', async () => {
    const request = { id: 3, command: 'app.info', params: {} }
    await bridge.call(request)
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_CHANNELS.call, request)
    await bridge.pickPath({ kind: 'open-project' })
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_CHANNELS.pickPath, {
      kind: 'open-project',
    })
  })

  it('hands listeners the message only, never the IpcRendererEvent, and unsubscribes', () => {
    const seen: unknown[] = []
    const off = bridge.onEvent((m) => seen.push(m))
    const [channel, wrapped] = electron.ipcRenderer.on.mock.calls[0] as unknown as [
      string,
      (event: unknown, value: unknown) => void,
    ]
    expect(channel).toBe(IPC_CHANNELS.event)
    const message = { event: 'run.status', payload: { runId: 1 } }
    wrapped({ sender: 'secret' }, message)
    wrapped({ sender: 'secret' }, 'not an event')
    expect(seen).toEqual([message])
    off()
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(IPC_CHANNELS.event, wrapped)
  })

  it('passes on menu actions of the bridge only', () => {
    const actions: unknown[] = []
    bridge.onMenu((a) => actions.push(a))
    const [channel, wrapped] = electron.ipcRenderer.on.mock.calls[0] as unknown as [
      string,
      (event: unknown, value: unknown) => void,
    ]
    expect(channel).toBe(IPC_CHANNELS.menu)
    wrapped({}, 'run.new')
    wrapped({}, 'rm -rf')
    expect(actions).toEqual(['run.new'])
  })
})

describe('preload bundle (the real electron-vite build)', () => {
  let outDir: string
  let code: string

  beforeAll(async () => {
    outDir = tempOutDir('preload')
    await buildBundle('preload', outDir)
    code = readFileSync(join(outDir, 'index.cjs'), 'utf8')
  })
  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true })
  })
  it('is one CommonJS file that requires nothing but electron', () => {
    expect(readdirSync(outDir)).toEqual(['index.cjs'])
    expect(code).not.toMatch(/^\s*(import|export)\s/m)
    const required = [...code.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1])
    expect(required).toEqual(['electron'])
    expect(code).not.toMatch(/\bimport\(/)
  })

  it('exposes exactly the four bridge functions when run like a sandboxed preload', () => {
    const exposed: Record<string, unknown> = {}
    const ipcRenderer = { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() }
    const sandboxRequire = (id: string) => {
      if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`)
      return {
        ipcRenderer,
        contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
      }
    }
    runInNewContext(code, { require: sandboxRequire, exports: {}, module: { exports: {} } })
    const bridge = exposed[BRIDGE_GLOBAL] as Record<string, unknown>
    expect(Object.keys(exposed)).toEqual([BRIDGE_GLOBAL])
    expect(Object.keys(bridge).sort()).toEqual(BRIDGE_KEYS.sort())
    ;(bridge.call as BasiscopeBridge['call'])({ id: 1, command: 'app.info', params: {} })
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(IPC_CHANNELS.call, {
      id: 1,
      command: 'app.info',
      params: {},
    })
  })
})
