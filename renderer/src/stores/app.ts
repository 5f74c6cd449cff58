import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MenuAction } from '../../../core/api/bridge.ts'
import type { CommandResult } from '../../../core/api/contract.ts'
import { api } from '../api/client.ts'
import type { ConnectionState } from '../api/transport.ts'
import { type TokenStatus, tokenStatus } from '../api/web-routes.ts'

export type Theme = 'light' | 'dark'
const THEME_KEY = 'basiscope.theme'

export interface Notice {
  id: number
  kind: 'error' | 'info'
  message: string
  /**
   * How long it is true: `view` notices are about the screen that raised them and go when
   * it is left; `connection` notices go when the backend is reachable again.
   */
  scope: 'view' | 'connection'
}

/** What to say when a shortcut or menu action has nothing to act on where the user is. */
const UNHANDLED: Partial<Record<MenuAction, string>> = {
  'run.new': 'Open a project first: runs start in a project (Ctrl+N there)',
  'view.compare': 'Open a project and tick 2–4 runs to compare them',
  'run.cancel': 'No run to cancel here: open the running run or its project',
  'project.export': 'Open a project to export it',
  'project.import': 'Import projects from the project browser',
}

/**
 * App-wide state: backend info, connection, theme, notices that belong to no single
 * place, and the action bus the menu and keyboard shortcuts feed (views subscribe to the
 * actions they can perform).
 */
export const useAppStore = defineStore('app', () => {
  const info = ref<CommandResult<'app.info'> | null>(null)
  const connection = ref<ConnectionState>('connecting')
  const theme = ref<Theme>(initialTheme())
  const notices = ref<Notice[]>([])
  /**
   * Web mode: what the server says to a tab whose connection it refuses (no token, or one
   * from an earlier launch) — which address to open; null while the tab may connect.
   */
  const access = ref<TokenStatus | null>(null)
  const actionHandlers = new Map<MenuAction, Set<() => void>>()
  let nextNotice = 1
  let started = false

  function initialTheme(): Theme {
    const saved = globalThis.localStorage?.getItem(THEME_KEY)
    if (saved === 'light' || saved === 'dark') return saved
    return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
  }

  function applyTheme(): void {
    globalThis.document?.documentElement.setAttribute('data-theme', theme.value)
  }

  function setTheme(t: Theme): void {
    theme.value = t
    globalThis.localStorage?.setItem(THEME_KEY, t)
    applyTheme()
  }

  function toggleTheme(): void {
    setTheme(theme.value === 'dark' ? 'light' : 'dark')
  }

  function notify(kind: Notice['kind'], message: string, scope: Notice['scope'] = 'view'): void {
    const id = nextNotice++
    notices.value.push({ id, kind, message, scope })
    if (kind === 'info') setTimeout(() => dismiss(id), 4000)
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  /** Drops the notices of a scope whose state has passed (a screen left, a connection back). */
  function dismissScope(scope: Notice['scope']): void {
    notices.value = notices.value.filter((n) => n.scope !== scope)
  }

  /** Registers a handler for a menu/shortcut action while a view is mounted. */
  function onAction(action: MenuAction, handler: () => void): () => void {
    let set = actionHandlers.get(action)
    if (!set) actionHandlers.set(action, (set = new Set()))
    set.add(handler)
    return () => set.delete(handler)
  }

  /** What the shell does with an action no mounted view handles (e.g. go to the projects). */
  let fallback: (action: MenuAction) => boolean = () => false

  function setFallback(f: (action: MenuAction) => boolean): void {
    fallback = f
  }

  /**
   * Runs the handlers of an action (menu or shortcut); returns whether anything handled it.
   * Unhandled actions get a notice saying so, never silence.
   */
  function perform(action: MenuAction, useFallback = true): boolean {
    if (action === 'view.toggleTheme') {
      toggleTheme()
      return true
    }
    const set = actionHandlers.get(action)
    if (set && set.size > 0) {
      for (const h of [...set]) h()
      return true
    }
    if (useFallback && fallback(action)) return true
    notify('info', UNHANDLED[action] ?? `Nothing to ${action.replace('.', ' ')} here`)
    return false
  }

  async function start(): Promise<void> {
    if (started) return
    started = true
    applyTheme()
    const client = api()
    connection.value = client.transport.state()
    client.transport.onState((s) => {
      connection.value = s
      if (s === 'open') {
        access.value = null
        dismissScope('connection')
        void loadInfo()
      } else if (s === 'closed') void checkAccess()
    })
    window.basiscope?.onMenu((action) => perform(action))
    await loadInfo()
  }

  async function loadInfo(): Promise<void> {
    try {
      info.value = await api().call('app.info')
    } catch (e) {
      // A tab the server refuses is told what to open, not that the server is down.
      if (await checkAccess()) return
      notify('error', `Cannot reach the Basiscope backend: ${(e as Error).message}`, 'connection')
    }
  }

  /** Web mode: asks the server whether this tab's token is its own; true when it is refused. */
  async function checkAccess(): Promise<boolean> {
    if (window.basiscope) return false
    try {
      const status = await tokenStatus()
      access.value = status.token === 'valid' ? null : status
    } catch {
      // No answer at all: the server is down, which the connection state already says.
    }
    return access.value !== null
  }

  return {
    info,
    access,
    connection,
    theme,
    notices,
    setTheme,
    toggleTheme,
    notify,
    dismiss,
    dismissScope,
    onAction,
    perform,
    setFallback,
    start,
  }
})
