import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  app,
  BrowserWindow,
  dialog,
  type IpcMainInvokeEvent,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  utilityProcess,
  type WebContents,
} from 'electron'
import { IPC_CHANNELS, type MenuAction } from '../core/api/bridge.ts'
import type { EventMessage } from '../core/api/contract.ts'
import { appProtocolHandler } from './app-protocol.ts'
import { chosenPath, type DialogSpec, dialogFor } from './dialogs.ts'
import {
  assertTrustedSender,
  guardedCall,
  parsePickPathRequest,
  type SenderInfo,
} from './ipc-guard.ts'
import { menuTemplate, shortcutsText } from './menu.ts'
import { PathGrants } from './path-grants.ts'
import { appPaths, workspaceDir } from './paths.ts'
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  isAllowedNavigation,
  isAllowedRequest,
  isExternalLinkAllowed,
  trustedOrigins,
  windowOptions,
} from './security.ts'
import { ServiceClient } from './service-client.ts'

/**
 * The desktop shell's main process (DESIGN.md §3): one hardened window showing the renderer
 * from app://, the application menu, and validated IPC routed to the same BasiscopeService the
 * web mode serves — which runs, with every SQLite connection, in its own utility process
 * (service-client.ts). The policy lives in security.ts / ipc-guard.ts / menu.ts; this file
 * wires it.
 */

// Before 'ready': a separate profile (tests, second installs), the privileged scheme, and
// the sandbox for every renderer whatever its webPreferences say.
if (process.env.BASISCOPE_USER_DATA) {
  app.setPath('userData', resolve(process.env.BASISCOPE_USER_DATA))
}
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])
app.enableSandbox()

const isMac = process.platform === 'darwin'
// The dev server (electron-vite dev) is trusted only in an unpackaged checkout.
const devServerUrl = app.isPackaged ? null : (process.env.ELECTRON_RENDERER_URL ?? null)
const origins = trustedOrigins(devServerUrl)
const paths = appPaths({
  mainDir: dirname(fileURLToPath(import.meta.url)),
  appPath: app.getAppPath(),
  isPackaged: app.isPackaged,
  resourcesPath: process.resourcesPath,
})

let mainWindow: BrowserWindow | null = null
let service: ServiceClient | null = null
let workspace = ''
let exportDir = ''
// What the user just chose in a dialog: the only paths the page may write (path-grants.ts).
const grants = new PathGrants()

/** Navigation, new windows and webviews, for every webContents the app ever creates. */
function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url, origins)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url, origins)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

/** No permission is ever granted, and nothing outside the app is ever loaded. */
function hardenSession(): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  ses.setDevicePermissionHandler(() => false)
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url, devServerUrl) })
  })
  protocol.handle(APP_SCHEME, appProtocolHandler(paths.renderer))
}

/** What the guard needs to know about an IPC message's origin. */
function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  const contents = mainWindow?.webContents
  try {
    const frame = event.senderFrame
    const top = contents?.mainFrame
    return {
      fromMainWindow: !!contents && event.sender === contents,
      isTopFrame:
        !!frame &&
        !!top &&
        frame.parent === null &&
        frame.processId === top.processId &&
        frame.routingId === top.routingId,
      frameUrl: frame?.url ?? null,
    }
  } catch {
    // Reading a frame that was disposed throws; such a sender is gone.
    return { fromMainWindow: false, isTopFrame: false, frameUrl: null }
  }
}

function registerIpc(svc: ServiceClient): void {
  ipcMain.handle(IPC_CHANNELS.call, (event, payload: unknown) =>
    guardedCall(
      senderInfo(event),
      payload,
      origins,
      (raw) => svc.call(raw),
      (request) => grants.admit(request, workspace),
    ),
  )
  ipcMain.handle(IPC_CHANNELS.pickPath, async (event, payload: unknown) => {
    assertTrustedSender(senderInfo(event), origins)
    const request = parsePickPathRequest(payload)
    const chosen = await showDialog(dialogFor(request, { workspace, exports: exportDir }))
    if (chosen !== null) grants.record(request, chosen)
    return chosen
  })
}

/** Shows a native dialog (modal to the window when there is one); the chosen path or null. */
async function showDialog(spec: DialogSpec): Promise<string | null> {
  const win = mainWindow
  if (spec.kind === 'open') {
    return chosenPath(
      win
        ? await dialog.showOpenDialog(win, spec.options)
        : await dialog.showOpenDialog(spec.options),
    )
  }
  return chosenPath(
    win
      ? await dialog.showSaveDialog(win, spec.options)
      : await dialog.showSaveDialog(spec.options),
  )
}

function sendEvent(message: EventMessage): void {
  const contents = mainWindow?.webContents
  if (contents && !contents.isDestroyed()) contents.send(IPC_CHANNELS.event, message)
}

function sendMenuAction(action: MenuAction): void {
  const contents = mainWindow?.webContents
  if (contents && !contents.isDestroyed()) contents.send(IPC_CHANNELS.menu, action)
}

function installMenu(): void {
  const template = menuTemplate({
    isMac,
    isPackaged: app.isPackaged,
    appName: app.name,
    send: sendMenuAction,
    showShortcuts: () => {
      const options = {
        type: 'info' as const,
        title: 'Keyboard Shortcuts',
        message: 'Keyboard Shortcuts',
        detail: shortcutsText(isMac),
      }
      void (mainWindow
        ? dialog.showMessageBox(mainWindow, options)
        : dialog.showMessageBox(options))
    },
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

function createWindow(): void {
  const win = new BrowserWindow(windowOptions(paths.preload, { devTools: !app.isPackaged }))
  mainWindow = win
  win.once('ready-to-show', () => win.show())
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null
  })
  void win.loadURL(devServerUrl ?? APP_ENTRY_URL)
}

function focusWindow(): void {
  if (!mainWindow) return
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.focus()
}

async function start(): Promise<void> {
  hardenSession()
  workspace = workspaceDir(app.getPath('userData'), process.env)
  exportDir = app.getPath('downloads')
  const client = new ServiceClient({
    fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
    serviceEntry: paths.service,
    workerEntry: paths.worker,
    init: {
      workspaceDir: workspace,
      presetsDir: paths.presets,
      exportDir,
      concurrency: 1,
      recordRecents: true,
    },
    onEvent: sendEvent,
    onGiveUp: (reason) => {
      dialog.showErrorBox('Basiscope stopped', reason)
      app.exit(1)
    },
  })
  try {
    await client.start()
  } catch (e) {
    dialog.showErrorBox(
      'Basiscope cannot start',
      `The workspace ${workspace} could not be opened: ${(e as Error).message}`,
    )
    app.exit(1)
    return
  }
  service = client
  registerIpc(client)
  installMenu()
  createWindow()
}

// Quitting closes the service first: running jobs are cancelled and their workers stopped,
// so every run ends recorded as cancelled rather than interrupted.
let quitState: 'running' | 'closing' | 'closed' = 'running'
app.on('before-quit', (event) => {
  if (quitState === 'closed' || !service) return
  event.preventDefault()
  if (quitState === 'closing') return
  quitState = 'closing'
  service
    .close()
    .catch((e: unknown) => process.stderr.write(`closing the service failed: ${String(e)}\n`))
    .finally(() => {
      quitState = 'closed'
      app.quit()
    })
})

if (!app.requestSingleInstanceLock()) {
  // Another Basiscope owns this profile; it gets focused by its 'second-instance' handler.
  app.quit()
} else {
  app.on('second-instance', focusWindow)
  app.on('web-contents-created', (_event, contents) => harden(contents))
  app.on('window-all-closed', () => {
    if (!isMac) app.quit()
  })
  app.on('activate', () => {
    if (service && BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      process.stderr.write(`Basiscope failed to start: ${String(e)}\n`)
      app.exit(1)
    })
}
