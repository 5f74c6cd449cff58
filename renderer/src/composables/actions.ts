import { onBeforeUnmount, onMounted } from 'vue'
import type { MenuAction } from '../../../core/api/bridge.ts'
import { useAppStore } from '../stores/app.ts'

/** Handles a menu/shortcut action while the calling component is mounted. */
export function useAction(action: MenuAction, handler: () => void): void {
  const app = useAppStore()
  let off: (() => void) | null = null
  onMounted(() => (off = app.onAction(action, handler)))
  onBeforeUnmount(() => off?.())
}

export interface Shortcut {
  readonly action: MenuAction
  /** As shown to users; `Mod` is Ctrl (Cmd on macOS). */
  readonly keys: string
  readonly label: string
  matches(e: KeyboardEvent): boolean
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey

/** The keyboard shortcuts; the Electron menu uses the same accelerators. */
export const SHORTCUTS: readonly Shortcut[] = [
  {
    action: 'run.new',
    keys: 'Mod+N',
    label: 'New run (in a project)',
    matches: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'n',
  },
  {
    action: 'project.new',
    keys: 'Mod+Shift+N',
    label: 'New project',
    matches: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'n',
  },
  {
    action: 'project.open',
    keys: 'Mod+O',
    label: 'Open a project (project browser)',
    matches: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'o',
  },
  {
    action: 'view.compare',
    keys: 'Mod+Shift+C',
    label: 'Compare the selected runs',
    matches: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'c',
  },
  {
    action: 'run.cancel',
    keys: 'Mod+.',
    label: 'Cancel the run in view',
    matches: (e) => mod(e) && e.key === '.',
  },
  {
    action: 'view.toggleTheme',
    keys: 'Mod+Shift+L',
    label: 'Light/dark theme',
    matches: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'l',
  },
]
