import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { CommandResult } from '../../../core/api/contract.ts'
import type { ProjectInfo } from '../../../core/api/records.ts'
import { api } from '../api/client.ts'
import { exportProjectLink, linkLabel, uploadProject } from '../api/web-routes.ts'
import { downloadUrl } from '../export/download.ts'

export type ProjectListItem = CommandResult<'projects.list'>[number]
export type RecentProject = CommandResult<'projects.recent'>[number]
export type TrashedProject = CommandResult<'projects.trash'>[number]

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

/** Whether a project is the one a reference (its stable id, or its file's path) names. */
export function isProject(info: { id?: string; path: string } | null, ref: string): boolean {
  return !!info && (info.id === ref || info.path === ref)
}

/** A project's name as a list shows it: its own, or its file's for one that cannot be read. */
export function projectName(p: { name?: string; path: string }): string {
  return p.name ?? fileName(p.path).replace(/\.basiscope$/, '')
}

/**
 * The projects of the workspace, the recent list, the trash and the open project. Projects
 * are named by their stable id wherever the page keeps them (routes, settings); the backend
 * takes a file path too. Actions throw the backend's error so the dialog or card that asked
 * can show it; the list's own loading error is kept here for the browser to show.
 */
export const useProjectsStore = defineStore('projects', () => {
  const list = ref<ProjectListItem[]>([])
  const recent = ref<RecentProject[]>([])
  const trash = ref<TrashedProject[]>([])
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
      const text = `${p.name ?? ''} ${p.path} ${p.notes ?? ''} ${p.error ?? ''}`.toLowerCase()
      return words.every((w) => text.includes(w))
    })
  })

  /** Native file dialogs exist only in Electron; the web page downloads and uploads. */
  const canPickPaths = computed(() => !!globalThis.window?.basiscope)
  /** What the file actions are called where the page runs. */
  const fileActions = computed(() =>
    canPickPaths.value
      ? {
          export: { label: 'Export…', short: 'Export', title: 'Save a copy of the project file' },
          import: { label: 'Import…', title: 'Copy a project file into the workspace' },
        }
      : {
          export: {
            label: '⤓ Download',
            short: 'Download',
            title: 'Download a copy of the project file',
          },
          import: { label: '⤒ Upload…', title: 'Upload a project file into the workspace' },
        },
  )

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      const [projects, recents, trashed] = await Promise.all([
        api().call('projects.list'),
        api().call('projects.recent'),
        api().call('projects.trash'),
      ])
      list.value = projects
      recent.value = recents
      trash.value = trashed
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
      loaded.value = true
    }
  }

  /** Applies a project's new info to the list and the open project (same id). */
  function patch(info: ProjectInfo): void {
    const i = list.value.findIndex((p) => p.id === info.id)
    if (i >= 0) list.value[i] = info
    if (current.value?.id === info.id) current.value = info
  }

  async function create(name: string): Promise<ProjectInfo> {
    const info = await api().call('projects.create', { name: name.trim() })
    list.value = [info, ...list.value]
    void refresh()
    return info
  }

  /** Opens a project by id or path (it becomes `current` and goes to the recent list). */
  async function open(ref: string): Promise<ProjectInfo | null> {
    opening.value = true
    try {
      const info = await api().call('projects.open', { path: ref })
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

  /** The open project if `ref` names it, else opens it: for views that need its name. */
  async function ensure(ref: string): Promise<ProjectInfo | null> {
    return isProject(current.value, ref) ? current.value : open(ref)
  }

  /** Renames a project; its file may move, its id (and every link by id) stays. */
  async function rename(ref: string, name: string): Promise<ProjectInfo> {
    const info = await api().call('projects.rename', { path: ref, name: name.trim() })
    patch(info)
    void refresh()
    return info
  }

  async function setNotes(ref: string, notes: string): Promise<ProjectInfo> {
    const info = await api().call('projects.setNotes', { path: ref, notes })
    patch(info)
    return info
  }

  async function duplicate(ref: string, name?: string): Promise<ProjectInfo> {
    const info = await api().call('projects.duplicate', {
      path: ref,
      name: name?.trim() || undefined,
    })
    void refresh()
    return info
  }

  /** Moves a project file to the workspace's trash, where it can be restored from. */
  async function remove(ref: string): Promise<void> {
    await api().call('projects.delete', { path: ref, toTrash: true })
    list.value = list.value.filter((p) => !isProject(p, ref))
    if (isProject(current.value, ref)) current.value = null
    await refresh()
  }

  /** Brings a project back from the trash (`path` as the trash lists it). */
  async function restore(path: string): Promise<ProjectInfo> {
    const info = await api().call('projects.restore', { path })
    await refresh()
    return info
  }

  /** Deletes a project in the trash for good. */
  async function purge(path: string): Promise<void> {
    await api().call('projects.delete', { path, toTrash: false })
    trash.value = trash.value.filter((p) => p.path !== path)
    void refresh()
  }

  /**
   * Copies a project file into the workspace (the source stays where it is): a path the
   * backend can read (Electron's dialog), or a file the browser uploads.
   */
  async function importProject(source: string | File): Promise<ProjectInfo> {
    const info =
      typeof source === 'string'
        ? await api().call('projects.import', { source })
        : await uploadProject(source)
    void refresh()
    return info
  }

  /**
   * Exports a project: in Electron to where its save dialog says (null when cancelled), in
   * the browser as a download. Returns what to tell the user.
   */
  async function exportProject(ref: string): Promise<string | null> {
    const bridge = globalThis.window?.basiscope
    if (!bridge) {
      const link = await exportProjectLink(ref)
      downloadUrl(link.download, link.filename)
      return `Downloading ${linkLabel(link)}`
    }
    const info = list.value.find((p) => isProject(p, ref)) ?? current.value
    const destination = await bridge.pickPath({
      kind: 'save-project',
      defaultName: fileName(info?.path ?? 'project.basiscope'),
    })
    if (!destination) return null
    // The save dialog has asked before replacing a file (the backend still replaces only a project).
    const written = await api().call('projects.export', {
      path: ref,
      destination,
      overwrite: true,
    })
    return `Exported to ${written.destination}`
  }

  /** Electron's native open dialog; null when cancelled or outside Electron. */
  async function pickImportSource(): Promise<string | null> {
    return (await globalThis.window?.basiscope?.pickPath({ kind: 'open-project' })) ?? null
  }

  return {
    list,
    recent,
    trash,
    current,
    loading,
    loaded,
    error,
    currentError,
    opening,
    filter,
    filtered,
    canPickPaths,
    fileActions,
    refresh,
    create,
    open,
    ensure,
    rename,
    setNotes,
    duplicate,
    remove,
    restore,
    purge,
    importProject,
    exportProject,
    pickImportSource,
  }
})
