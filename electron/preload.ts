import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  BRIDGE_GLOBAL,
  type BasiscopeBridge,
  IPC_CHANNELS,
  MENU_ACTIONS,
  type MenuAction,
} from '../core/api/bridge.ts'
import type { EventMessage, Reply } from '../core/api/contract.ts'

/**
 * The sandboxed page's only door to the backend: `window.basiscope`, exactly the
 * BasiscopeBridge of core/api/bridge.ts. ipcRenderer itself is never exposed, listeners never
 * see the IpcRendererEvent (it carries `sender`), and every message is validated again in
 * main. Bundled as one CommonJS file that requires nothing but 'electron' (sandboxed preloads
 * can load nothing else); bridge.ts contributes only constants.
 */

/** Subscribes to one main→page channel; returns the unsubscribe function. */
function subscribe<T>(channel: string, accept: (value: unknown) => value is T) {
  return (listener: (value: T) => void): (() => void) => {
    const wrapped = (_event: IpcRendererEvent, value: unknown) => {
      if (accept(value)) listener(value)
    }
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  }
}

const isMenuAction = (value: unknown): value is MenuAction =>
  (MENU_ACTIONS as readonly unknown[]).includes(value)
const isEventMessage = (value: unknown): value is EventMessage =>
  value !== null && typeof value === 'object' && typeof (value as EventMessage).event === 'string'

const bridge: BasiscopeBridge = {
  call: (request) => ipcRenderer.invoke(IPC_CHANNELS.call, request) as Promise<Reply>,
  onEvent: subscribe(IPC_CHANNELS.event, isEventMessage),
  onMenu: subscribe(IPC_CHANNELS.menu, isMenuAction),
  pickPath: (request) =>
    ipcRenderer.invoke(IPC_CHANNELS.pickPath, request) as Promise<string | null>,
}

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge)
