import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { MENU_ACTIONS, type MenuAction } from '../../core/api/bridge.ts'
import {
  ACTION_ITEMS,
  type MenuDeps,
  displayAccelerator,
  menuTemplate,
  shortcutsText,
} from '../../electron/menu.ts'

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [
    i,
    ...(Array.isArray(i.submenu) ? flatten(i.submenu as MenuItemConstructorOptions[]) : []),
  ])
}

function build(overrides: Partial<MenuDeps> = {}) {
  const deps: MenuDeps = {
    isMac: false,
    isPackaged: true,
    appName: 'Basiscope',
    send: vi.fn(),
    showShortcuts: vi.fn(),
    ...overrides,
  }
  const template = menuTemplate(deps)
  return { deps, template, items: flatten(template) }
}

const submenuLabels = (template: MenuItemConstructorOptions[], top: string) =>
  (template.find((t) => t.label === top)?.submenu as MenuItemConstructorOptions[])
    .filter((i) => i.type !== 'separator')
    .map((i) => i.label ?? i.role)

describe('application menu', () => {
  it('has File, Run, View and Help with the listed items', () => {
    const { template } = build()
    expect(template.map((t) => t.label ?? t.role)).toEqual([
      'File',
      'editMenu',
      'Run',
      'View',
      'help',
    ])
    expect(submenuLabels(template, 'File')).toEqual([
      'New Project',
      'Open Project…',
      'Import Project…',
      'Export Project…',
      'Quit',
    ])
    expect(submenuLabels(template, 'Run')).toEqual(['New Run', 'Cancel Run'])
    expect(submenuLabels(template, 'View')).toEqual([
      'Projects',
      'Compare Selected Runs',
      'Toggle Dark Theme',
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'togglefullscreen',
    ])
  })

  it('sends exactly the MenuActions of the bridge, each item its own', () => {
    const { deps, items } = build()
    const actionItems = items.filter((i) => i.id && i.id !== 'help.shortcuts')
    expect(actionItems.map((i) => i.id).sort()).toEqual([...MENU_ACTIONS].sort())
    for (const item of actionItems) {
      expect(MENU_ACTIONS).toContain(item.id)
      item.click?.(undefined as never, undefined, undefined as never)
      expect(deps.send).toHaveBeenLastCalledWith(item.id as MenuAction)
    }
    expect(deps.send).toHaveBeenCalledTimes(MENU_ACTIONS.length)
  })

  it('uses the listed accelerators', () => {
    const { items } = build()
    const accel = Object.fromEntries(items.filter((i) => i.id).map((i) => [i.id, i.accelerator]))
    expect(accel).toEqual({
      'project.new': 'CmdOrCtrl+Shift+N',
      'project.open': 'CmdOrCtrl+O',
      'project.import': undefined,
      'project.export': undefined,
      'run.new': 'CmdOrCtrl+N',
      'run.cancel': 'CmdOrCtrl+.',
      'view.projects': undefined,
      'view.compare': 'CmdOrCtrl+Shift+C',
      'view.toggleTheme': 'CmdOrCtrl+Shift+L',
      'help.shortcuts': undefined,
    })
    const accelerators = items.map((i) => i.accelerator).filter(Boolean)
    expect(new Set(accelerators).size).toBe(accelerators.length)
  })

  it('offers reload and devtools only in an unpackaged build', () => {
    const roles = (packaged: boolean) => build({ isPackaged: packaged }).items.map((i) => i.role)
    expect(roles(true)).not.toContain('toggleDevTools')
    expect(roles(true)).not.toContain('reload')
    expect(roles(false)).toEqual(
      expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']),
    )
  })

  it('puts Quit in the app menu on macOS', () => {
    const { template } = build({ isMac: true })
    expect(template[0].label).toBe('Basiscope')
    expect(submenuLabels(template, 'File')).not.toContain('Quit')
    expect(flatten(template).filter((i) => i.role === 'quit')).toHaveLength(1)
  })

  it('shows the keyboard shortcuts from Help', () => {
    const { deps, items } = build()
    items
      .find((i) => i.id === 'help.shortcuts')
      ?.click?.(undefined as never, undefined, undefined as never)
    expect(deps.showShortcuts).toHaveBeenCalledOnce()
    expect(shortcutsText(false)).toContain('Ctrl+Shift+N\tNew Project')
    expect(shortcutsText(true)).toContain('Cmd+.\tCancel Run')
    expect(displayAccelerator(ACTION_ITEMS['view.compare'].accelerator!, false)).toBe(
      'Ctrl+Shift+C',
    )
  })
})
