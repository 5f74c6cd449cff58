import { fork } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { vi } from 'vitest'
import { repoRoot } from './build-bundle.ts'

/**
 * Just enough of Electron's main-process API, recording what the shell does with it, to run
 * the real built main bundle under Node (the Electron binary cannot be downloaded here).
 * `utilityProcess.fork` starts a Node child with a parentPort stand-in, so jobs run through
 * the real worker bundle.
 */

const SHIM = fileURLToPath(new URL('./fixtures/parent-port-shim.mjs', import.meta.url))

export class FakeFrame {
  parent: FakeFrame | null = null
  processId = 1
  routingId = 1
  constructor(public url = '') {}
}

export class FakeWebContents extends EventEmitter {
  readonly mainFrame = new FakeFrame()
  readonly sent: { channel: string; args: unknown[] }[] = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }
  isDestroyed(): boolean {
    return false
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
}

/** Emits a cancellable Electron-style event; returns whether it was prevented. */
export function emitCancellable(target: EventEmitter, name: string, details: object = {}): boolean {
  let prevented = false
  target.emit(name, { ...details, preventDefault: () => (prevented = true) })
  return prevented
}

/** Windows created through the fake; `app` receives their 'web-contents-created'. */
export class FakeBrowserWindow extends EventEmitter {
  static windows: FakeBrowserWindow[] = []
  static app: EventEmitter | null = null
  static getAllWindows = (): FakeBrowserWindow[] => FakeBrowserWindow.windows
  readonly webContents = new FakeWebContents()
  readonly loaded: string[] = []
  show = vi.fn()
  focus = vi.fn()
  restore = vi.fn()
  isMinimized = () => false
  constructor(readonly options: { webPreferences?: Record<string, unknown> }) {
    super()
    FakeBrowserWindow.windows.push(this)
    FakeBrowserWindow.app?.emit('web-contents-created', {}, this.webContents)
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url)
    this.webContents.mainFrame.url = url
    return Promise.resolve()
  }
}

export function createFakeElectron() {
  const paths = new Map<string, string>([['userData', '/nonexistent/userData']])
  const windows: FakeBrowserWindow[] = []
  FakeBrowserWindow.windows = windows

  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    name: 'Basiscope',
    setPath: vi.fn((name: string, value: string) => void paths.set(name, value)),
    getPath: (name: string) => paths.get(name) ?? `/nonexistent/${name}`,
    getAppPath: () => repoRoot,
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    whenReady: () => Promise.resolve(),
    quit: vi.fn(),
    exit: vi.fn(),
  })
  FakeBrowserWindow.app = app

  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>()
  const ipcHandlers = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>()
  const permission = {
    request: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
    check: null as null | ((...args: unknown[]) => boolean),
    device: null as null | ((...args: unknown[]) => boolean),
    beforeRequest: null as
      null | ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
  }
  const children: ReturnType<typeof fork>[] = []

  return {
    app,
    BrowserWindow: FakeBrowserWindow,
    windows,
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handle: vi.fn((scheme: string, h: (r: Request) => Promise<Response>) =>
        protocolHandlers.set(scheme, h),
      ),
    },
    protocolHandlers,
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof permission.request) => (permission.request = h),
        setPermissionCheckHandler: (h: typeof permission.check) => (permission.check = h),
        setDevicePermissionHandler: (h: typeof permission.device) => (permission.device = h),
        webRequest: {
          onBeforeRequest: (h: typeof permission.beforeRequest) => (permission.beforeRequest = h),
        },
      },
    },
    permission,
    ipcMain: {
      handle: vi.fn((channel: string, h: (e: unknown, p: unknown) => Promise<unknown>) =>
        ipcHandlers.set(channel, h),
      ),
    },
    ipcHandlers,
    Menu: {
      buildFromTemplate: vi.fn((template: unknown) => ({ template })),
      setApplicationMenu: vi.fn(),
    },
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/picked/a.basiscope'] })),
      showSaveDialog: vi.fn(async (): Promise<{ canceled: boolean; filePath?: string }> => ({
        canceled: true,
      })),
      showMessageBox: vi.fn(async () => ({ response: 0 })),
      showErrorBox: vi.fn(),
    },
    shell: { openExternal: vi.fn(async () => {}) },
    utilityProcess: {
      fork: vi.fn((modulePath: string, _args: string[], _options: object) => {
        const child = fork(SHIM, [modulePath], {
          serialization: 'advanced',
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        })
        children.push(child)
        const proc = Object.assign(new EventEmitter(), {
          stdout: child.stdout,
          stderr: child.stderr,
          postMessage: (m: unknown) => child.connected && child.send(m as never),
          kill: () => child.kill('SIGKILL'),
        })
        child.on('message', (m) => proc.emit('message', m))
        child.on('exit', (code) => proc.emit('exit', code ?? 1))
        return proc
      }),
    },
    children,
  }
}

export type FakeElectron = ReturnType<typeof createFakeElectron>
