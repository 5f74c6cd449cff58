import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import type { RunRecord, RunStatus } from '../../../core/api/records.ts'
import { api } from '../api/client.ts'
import { useJobsStore } from './jobs.ts'

/**
 * A sortable column: `id`, `name`, `status`, `createdAt`, `config.<configSummary key>`,
 * `metric.<keyMetrics key>` or `tags`.
 */
export type SortKey = string
export interface SortState {
  key: SortKey
  dir: 'asc' | 'desc'
}

export interface RunFilter {
  text: string
  status: RunStatus | ''
  tag: string
}

/** Active runs first when sorting by status: what a researcher is watching. */
const STATUS_ORDER: Record<RunStatus, number> = {
  running: 0,
  queued: 1,
  failed: 2,
  interrupted: 3,
  cancelled: 4,
  completed: 5,
}

/** The value a run has in a sortable column (null sorts last). */
export function sortValue(run: RunRecord, key: SortKey): string | number | null {
  if (key === 'id') return run.id
  if (key === 'name') return run.name.toLowerCase()
  if (key === 'status') return STATUS_ORDER[run.status]
  if (key === 'createdAt') return Date.parse(run.createdAt)
  if (key === 'tags') return run.tags.length ? run.tags.join(',').toLowerCase() : null
  if (key.startsWith('config.')) {
    const v = run.configSummary[key.slice('config.'.length)]
    return typeof v === 'number' || typeof v === 'string' ? v : v == null ? null : String(v)
  }
  if (key.startsWith('metric.')) return run.keyMetrics[key.slice('metric.'.length)] ?? null
  return null
}

export function sortRuns(runs: readonly RunRecord[], sort: SortState): RunRecord[] {
  const sign = sort.dir === 'asc' ? 1 : -1
  return [...runs].sort((a, b) => {
    const va = sortValue(a, sort.key)
    const vb = sortValue(b, sort.key)
    if (va === vb) return b.id - a.id
    if (va === null) return 1
    if (vb === null) return -1
    if (typeof va === 'number' && typeof vb === 'number') return (va - vb) * sign
    return String(va).localeCompare(String(vb), undefined, { numeric: true }) * sign
  })
}

export function matchesFilter(run: RunRecord, filter: RunFilter): boolean {
  if (filter.status && run.status !== filter.status) return false
  if (filter.tag && !run.tags.includes(filter.tag)) return false
  const text = filter.text.trim().toLowerCase()
  if (!text) return true
  const haystack = [
    `#${run.id}`,
    run.name,
    run.status,
    ...run.tags,
    ...Object.values(run.configSummary).map(String),
    run.error ?? '',
  ]
    .join(' ')
    .toLowerCase()
  return text.split(/\s+/).every((word) => haystack.includes(word))
}

/** The runs of the open project: list, live status, selection, sort and filter. */
export const useRunsStore = defineStore('runs', () => {
  const project = ref<string | null>(null)
  const runs = ref<RunRecord[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  const selected = ref<number[]>([])
  const sort = ref<SortState>({ key: 'id', dir: 'desc' })
  const filter = reactive<RunFilter>({ text: '', status: '', tag: '' })
  const jobs = useJobsStore()
  let loadSeq = 0

  const visible = computed(() =>
    sortRuns(
      runs.value.filter((r) => matchesFilter(r, filter)),
      sort.value,
    ),
  )
  const allTags = computed(() => [...new Set(runs.value.flatMap((r) => r.tags))].sort())
  const selectedRuns = computed(() =>
    selected.value.map((id) => runs.value.find((r) => r.id === id)).filter((r) => !!r),
  )
  const canCompare = computed(() => selected.value.length >= 2 && selected.value.length <= 4)
  const filtered = computed(() => !!(filter.text.trim() || filter.status || filter.tag))

  // The one subscription to run statuses: patch the row at once, then fetch its new metrics.
  api().on('run.status', (s) => {
    if (s.project !== project.value) return
    const row = runs.value.find((r) => r.id === s.runId)
    if (!row) {
      void refresh()
      return
    }
    row.status = s.status
    if (s.error) row.error = s.error
    void refreshRun(s.runId)
  })

  // Events sent while the connection was down are lost: re-read the table when it is back.
  api().transport.onState((s) => {
    if (s === 'open') void refresh()
  })

  /** Shows a project's runs; switching projects clears the selection and filters. */
  async function load(path: string): Promise<void> {
    if (path !== project.value) {
      project.value = path
      runs.value = []
      selected.value = []
      Object.assign(filter, { text: '', status: '', tag: '' })
    }
    await refresh()
  }

  async function refresh(): Promise<void> {
    const path = project.value
    if (!path) return
    const seq = ++loadSeq
    loading.value = true
    try {
      const list = await api().call('runs.list', { project: path })
      if (seq !== loadSeq || path !== project.value) return
      runs.value = list
      error.value = null
      // Rows that disappeared (deleted elsewhere) cannot stay selected.
      selected.value = selected.value.filter((id) => list.some((r) => r.id === id))
    } catch (e) {
      if (seq === loadSeq) error.value = (e as Error).message
    } finally {
      if (seq === loadSeq) loading.value = false
    }
  }

  /** Re-reads one run (after a status change) and replaces its row. */
  async function refreshRun(runId: number): Promise<void> {
    const path = project.value
    if (!path) return
    try {
      const { run } = await api().call('runs.get', { project: path, runId })
      if (path !== project.value) return
      replace(run)
    } catch (e) {
      error.value = `Could not refresh run ${runId}: ${(e as Error).message}`
    }
  }

  function replace(run: RunRecord): void {
    const i = runs.value.findIndex((r) => r.id === run.id)
    if (i >= 0) runs.value[i] = run
    else runs.value.unshift(run)
  }

  function requireProject(): string {
    if (!project.value) throw new Error('no project is open')
    return project.value
  }

  /** Starts a run; throws the backend's ApiError (with `.issues` for a bad config). */
  async function start(config: unknown, name?: string): Promise<RunRecord> {
    const path = requireProject()
    const { run, jobId } = await api().call('runs.start', { project: path, config, name })
    jobs.remember(path, run.id, jobId)
    if (path === project.value) replace(run)
    return run
  }

  /** Deletes a run; the backend refuses while it is queued or running. */
  async function remove(runId: number): Promise<void> {
    const path = requireProject()
    await api().call('runs.delete', { project: path, runId })
    runs.value = runs.value.filter((r) => r.id !== runId)
    selected.value = selected.value.filter((id) => id !== runId)
  }

  async function update(runId: number, patch: { name?: string; tags?: string[] }): Promise<void> {
    const path = requireProject()
    replace(await api().call('runs.update', { project: path, runId, ...patch }))
  }

  async function cancel(runId: number): Promise<void> {
    await jobs.cancel(requireProject(), runId)
  }

  function isSelected(runId: number): boolean {
    return selected.value.includes(runId)
  }

  function toggleSelected(runId: number, on = !isSelected(runId)): void {
    selected.value = on
      ? [...new Set([...selected.value, runId])]
      : selected.value.filter((id) => id !== runId)
  }

  function clearSelection(): void {
    selected.value = []
  }

  /** Click on a column: sort by it, or flip the direction when it is already the key. */
  function sortBy(key: SortKey): void {
    sort.value =
      sort.value.key === key
        ? { key, dir: sort.value.dir === 'asc' ? 'desc' : 'asc' }
        : // Names read best A→Z; numbers and times best largest/newest first.
          {
            key,
            dir: key === 'name' || key === 'status' || key.startsWith('config.') ? 'asc' : 'desc',
          }
  }

  return {
    project,
    runs,
    loading,
    error,
    selected,
    selectedRuns,
    sort,
    filter,
    visible,
    allTags,
    canCompare,
    filtered,
    load,
    refresh,
    refreshRun,
    start,
    remove,
    update,
    cancel,
    isSelected,
    toggleSelected,
    clearSelection,
    sortBy,
  }
})
