import type { MenuItemConstructorOptions } from 'electron'
import type { MenuAction } from '../core/api/bridge.ts'

/**
 * The application menu as a pure template builder (unit-tested). Items that act on the app
 * carry a MenuAction (core/api/bridge.ts) and send it to the page; the page decides what it
 * means where the user is. Accelerators match the page's own shortcut list.
 */

export interface ActionItem {
  readonly label: string
  readonly accelerator?: string
}

/** Every action the menu can send, with its label and accelerator. */
export const ACTION_ITEMS: Readonly<Record<MenuAction, ActionItem>> = {
  'project.new': { label: 'New Project', accelerator: 'CmdOrCtrl+Shift+N' },
  'project.open': { label: 'Open Project…', accelerator: 'CmdOrCtrl+O' },
  'project.import': { label: 'Import Project…' },
  'project.export': { label: 'Export Project…' },
  'run.new': { label: 'New Run', accelerator: 'CmdOrCtrl+N' },
  'run.cancel': { label: 'Cancel Run', accelerator: 'CmdOrCtrl+.' },
  'view.projects': { label: 'Projects' },
  'view.compare': { label: 'Compare Selected Runs', accelerator: 'CmdOrCtrl+Shift+C' },
  'view.toggleTheme': { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+L' },
}

export interface MenuDeps {
  readonly isMac: boolean
  /** Packaged builds get no reload or devtools items. */
  readonly isPackaged: boolean
  readonly appName: string
  /** Delivers an action to the page (`webContents.send(IPC_CHANNELS.menu, action)`). */
  send(action: MenuAction): void
  /** Help › Keyboard Shortcuts. */
  showShortcuts(): void
}

export function menuTemplate(deps: MenuDeps): MenuItemConstructorOptions[] {
  const item = (action: MenuAction): MenuItemConstructorOptions => ({
    id: action,
    label: ACTION_ITEMS[action].label,
    ...(ACTION_ITEMS[action].accelerator ? { accelerator: ACTION_ITEMS[action].accelerator } : {}),
    click: () => deps.send(action),
  })
  const sep: MenuItemConstructorOptions = { type: 'separator' }

  const macApp: MenuItemConstructorOptions[] = deps.isMac
    ? [
        {
          label: deps.appName,
          submenu: [
            { role: 'about' },
            sep,
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            sep,
            { role: 'quit' },
          ],
        },
      ]
    : []

  const developer: MenuItemConstructorOptions[] = deps.isPackaged
    ? []
    : [sep, { role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }]

  return [
    ...macApp,
    {
      label: 'File',
      submenu: [
        item('project.new'),
        item('project.open'),
        sep,
        item('project.import'),
        item('project.export'),
        // On macOS Quit lives in the app menu.
        ...(deps.isMac ? [] : [sep, { role: 'quit', label: 'Quit' } as const]),
      ],
    },
    // Text fields need the standard edit commands (and on macOS their shortcuts come from here).
    { role: 'editMenu' },
    { label: 'Run', submenu: [item('run.new'), item('run.cancel')] },
    {
      label: 'View',
      submenu: [
        item('view.projects'),
        item('view.compare'),
        sep,
        item('view.toggleTheme'),
        sep,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        sep,
        { role: 'togglefullscreen' },
        ...developer,
      ],
    },
    {
      role: 'help',
      submenu: [{ id: 'help.shortcuts', label: 'Keyboard Shortcuts', click: deps.showShortcuts }],
    },
  ]
}

/** An accelerator as users read it on this platform (`CmdOrCtrl+Shift+N` → `Ctrl+Shift+N`). */
export function displayAccelerator(accelerator: string, isMac: boolean): string {
  return accelerator.replace('CmdOrCtrl', isMac ? 'Cmd' : 'Ctrl')
}

/** The Help › Keyboard Shortcuts text: every action with an accelerator. */
export function shortcutsText(isMac: boolean): string {
  return Object.values(ACTION_ITEMS)
    .filter((a) => a.accelerator)
    .map((a) => `${displayAccelerator(a.accelerator!, isMac)}\t${a.label.replace('…', '')}`)
    .join('\n')
}
