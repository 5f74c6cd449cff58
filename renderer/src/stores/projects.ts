import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { CommandResult } from '../../../core/api/contract.ts'
import type { ProjectInfo } from '../../../core/api/records.ts'
import { api } from '../api/client.ts'

export type ProjectListItem = CommandResult<'projects.list'>[number]
export type RecentProject = CommandResult<'projects.recent'>[number]

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

/**
 * The projects of the workspace, the recent list and the open project. Actions throw the
 * backend's error so the dialog or card that asked can show it; the list's own loading
 * error is kept here for the browser to show.
 */
export const useProjectsStore = defineStore('projects', () => {
  const list = ref<ProjectListItem[]>([])
  const recent = ref<RecentProject[]>([])
  const current = ref<ProjectInfo | null>(null)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const currentError = ref<string | null>(null)
  const opening = ref(false)
  const filter = ref('')

  const filtered = computed(() => {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean)
    if (!words.length) return list.value
    return list.value.filter((p) => {
      const text = `${p.name ?? ''} ${p.path} ${p.error ?? ''}`.toLowerCase()
      return words.every((w) => text.includes(w))
    })
  })

  /** Native file dialogs exist only in Electron; the web page asks for a typed path. */
  const canPickPaths = computed(() => !!globalThis.window?.basiscope)

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      const [projects, recents] = await Promise.all([
        api().call('projects.list'),
        api().call('projects.recent'),
      ])
      list.value = projects
      recent.value = recents
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
      loaded.value = true
    }
  }

  /** Applies a project's new info to the list and the open project. */
  function patch(oldPath: string, info: ProjectInfo): void {
    const i = list.value.findIndex((p) => p.path === oldPath)
    if (i >= 0) list.value[i] = info
    if (current.value?.path === oldPath) current.value = info
  }

  async function create(name: string): Promise<ProjectInfo> {
    const info = await api().call('projects.create', { name: name.trim() })
    list.value = [info, ...list.value]
    void refresh()
    return info
  }

  /** Opens a project (it becomes `current` and goes to the recent list). */
  async function open(path: string): Promise<ProjectInfo | null> {
    opening.value = true
    try {
      const info = await api().call('projects.open', { path })
      current.value = info
      currentError.value = null
      return info
    } catch (e) {
      current.value = null
      currentError.value = (e as Error).message
      return null
    } finally {
      opening.value = false
    }
  }

  /** Renames a project; the file may move, so callers use the returned path. */
  async function rename(path: string, name: string): Promise<ProjectInfo> {
    const info = await api().call('projects.rename', { path, name: name.trim() })
    patch(path, info)
    void refresh()
    return info
  }

  async function duplicate(path: string, name?: string): Promise<ProjectInfo> {
    const info = await api().call('projects.duplicate', { path, name: name?.trim() || undefined })
    void refresh()
    return info
  }

  /** Moves a project file to the workspace's trash. */
  async function remove(path: string): Promise<void> {
    await api().call('projects.delete', { path, toTrash: true })
    list.value = list.value.filter((p) => p.path !== path)
    if (current.value?.path === path) current.value = null
    void refresh()
  }

  /** Copies a project file into the workspace (the source stays where it is). */
  async function importProject(source: string): Promise<ProjectInfo> {
    const info = await api().call('projects.import', { source })
    void refresh()
    return info
  }

  /** Writes a consistent copy of a project to `destination`; returns the absolute path. */
  async function exportProject(path: string, destination: string): Promise<string> {
    return (await api().call('projects.export', { path, destination })).destination
  }

  /** Electron's native open dialog; null when cancelled or outside Electron. */
  async function pickImportSource(): Promise<string | null> {
    return (await globalThis.window?.basiscope?.pickPath({ kind: 'open-project' })) ?? null
  }

  /** Electron's native save dialog, prefilled with the project's file name. */
  async function pickExportDestination(path: string): Promise<string | null> {
    const bridge = globalThis.window?.basiscope
    if (!bridge) return null
    return (await bridge.pickPath({ kind: 'save-project', defaultName: fileName(path) })) ?? null
  }

  return {
    list,
    recent,
    current,
    loading,
    loaded,
    error,
    currentError,
    opening,
    filter,
    filtered,
    canPickPaths,
    refresh,
    create,
    open,
    rename,
    duplicate,
    remove,
    importProject,
    exportProject,
    pickImportSource,
    pickExportDestination,
  }
})
