import { defineStore } from 'pinia'
import { computed, reactive, ref, watch } from 'vue'
import type { RunRecord, RunStatus } from '../../../core/api/records.ts'
import { api } from '../api/client.ts'
import {
  type RunColumn,
  type SortState,
  columnCatalog,
  defaultColumnKeys,
  firstSortDir,
  runRow,
  sortRows,
} from '../components/runs/columns.ts'
import { matchesClauses, parseFilter } from '../components/runs/filter.ts'
import { groupRows } from '../components/runs/groups.ts'
import { useJobsStore } from './jobs.ts'

export type { SortState } from '../components/runs/columns.ts'

export interface RunFilter {
  /** Free text: every word must appear in the run's id, name, status, tags, notes, key config or error. */
  text: string
  /** The structured filter (components/runs/filter.ts), e.g. `rotation.optimizer.lr < 1e-3`. */
  where: string
  status: RunStatus | ''
  tag: string
}

/** How numbers read against the reference run: as they are, as a difference, as a ratio. */
export type RelativeMode = 'delta' | 'ratio'

/** What a project's runs table shows; kept per project in localStorage. */
export interface RunsViewSettings {
  /** Chosen column keys; null: the defaults for the runs there are. */
  columns: string[] | null
  filter: RunFilter
  sort: SortState
  /** A column key, SEED_GROUPS, or '' for no groups. */
  groupBy: string
  /** The run others are read against (Δ or ratio), or null. */
  reference: number | null
  relative: RelativeMode
}

const VIEW_KEY = 'basiscope.runsView:'

export function defaultViewSettings(): RunsViewSettings {
  return {
    columns: null,
    filter: { text: '', where: '', status: '', tag: '' },
    sort: { key: 'id', dir: 'desc' },
    groupBy: '',
    reference: null,
    relative: 'delta',
  }
}

/**
 * A project's saved table settings, each field checked (a stale or edited entry cannot break
 * the table). Kept by the project's id, so a rename keeps them; settings saved before ids,
 * by the file's path, are read when the id has none yet.
 */
export function readViewSettings(project: string, legacyPath?: string): RunsViewSettings {
  const out = defaultViewSettings()
  try {
    const storage = globalThis.localStorage
    const text =
      storage?.getItem(VIEW_KEY + project) ??
      (legacyPath ? storage?.getItem(VIEW_KEY + legacyPath) : null) ??
      'null'
    const saved = JSON.parse(text) as Partial<RunsViewSettings> | null
    if (!saved || typeof saved !== 'object') return out
    if (Array.isArray(saved.columns) && saved.columns.every((c) => typeof c === 'string')) {
      out.columns = saved.columns
    }
    const f = saved.filter as Partial<RunFilter> | undefined
    for (const k of ['text', 'where', 'status', 'tag'] as const) {
      if (typeof f?.[k] === 'string') (out.filter as unknown as Record<string, string>)[k] = f[k]
    }
    if (typeof saved.sort?.key === 'string' && ['asc', 'desc'].includes(saved.sort.dir)) {
      out.sort = { key: saved.sort.key, dir: saved.sort.dir }
    }
    if (typeof saved.groupBy === 'string') out.groupBy = saved.groupBy
    if (typeof saved.reference === 'number') out.reference = saved.reference
    if (saved.relative === 'ratio' || saved.relative === 'delta') out.relative = saved.relative
  } catch {
    // Unreadable settings are no settings.
  }
  return out
}

function writeViewSettings(project: string, settings: RunsViewSettings): void {
  try {
    globalThis.localStorage?.setItem(VIEW_KEY + project, JSON.stringify(settings))
  } catch {
    // A full or disabled storage only loses the convenience.
  }
}

/** The free-text search: every word somewhere in the run's id, name, status, tags, notes, key config or error. */
export function matchesText(run: RunRecord, text: string): boolean {
  const words = text.trim().toLowerCase()
  if (!words) return true
  const haystack = [
    `#${run.id}`,
    run.name,
    run.status,
    ...run.tags,
    run.notes,
    ...Object.values(run.configSummary).map(String),
    run.error ?? '',
  ]
    .join(' ')
    .toLowerCase()
  return words.split(/\s+/).every((word) => haystack.includes(word))
}

/**
 * The runs of the open project: list, live status, selection, and how the table shows
 * them (columns, sort, filters, groups, reference run), remembered per project id.
 */
export const useRunsStore = defineStore('runs', () => {
  /** The open project's stable id (the backend takes it wherever it takes a project). */
  const project = ref<string | null>(null)
  const runs = ref<RunRecord[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  const selected = ref<number[]>([])
  const view = reactive<RunsViewSettings>(defaultViewSettings())
  const jobs = useJobsStore()
  let loadSeq = 0

  const catalog = computed<RunColumn[]>(() => columnCatalog(runs.value))
  /** The chosen columns that these runs have, in table order. */
  const columns = computed<RunColumn[]>(() => {
    const chosen = new Set(view.columns ?? defaultColumnKeys(catalog.value))
    return catalog.value.filter((c) => chosen.has(c.key))
  })
  const parsedWhere = computed(() => parseFilter(view.filter.where, catalog.value))
  const whereError = computed(() => (parsedWhere.value.ok ? null : parsedWhere.value.error))
  /** The shown rows: filtered (a bad structured filter filters nothing) and sorted. */
  const rows = computed(() => {
    const f = view.filter
    const clauses = parsedWhere.value.ok ? parsedWhere.value.clauses : []
    const kept = runs.value
      .filter((r) => (!f.status || r.status === f.status) && (!f.tag || r.tags.includes(f.tag)))
      .filter((r) => matchesText(r, f.text))
      .map(runRow)
      .filter((row) => matchesClauses(row, clauses))
    return sortRows(kept, view.sort)
  })
  const visible = computed(() => rows.value.map((r) => r.run))
  const groups = computed(() =>
    view.groupBy ? groupRows(rows.value, view.groupBy, columns.value) : null,
  )
  const referenceRun = computed(() =>
    view.reference === null ? null : (runs.value.find((r) => r.id === view.reference) ?? null),
  )
  const allTags = computed(() => [...new Set(runs.value.flatMap((r) => r.tags))].sort())
  const selectedRuns = computed(() =>
    selected.value.map((id) => runs.value.find((r) => r.id === id)).filter((r) => !!r),
  )
  const canCompare = computed(() => selected.value.length >= 2 && selected.value.length <= 4)
  const compareHint = computed(() => {
    const n = selected.value.length
    if (n === 0) return 'Select 2–4 runs to compare'
    if (n === 1) return '1 run selected — select 1 to 3 more to compare'
    if (n > 4) return `${n} runs selected — compare takes at most 4`
    return `${n} runs selected`
  })
  const filtered = computed(
    () =>
      !!(
        view.filter.text.trim() ||
        view.filter.where.trim() ||
        view.filter.status ||
        view.filter.tag
      ),
  )

  watch(
    view,
    () => {
      if (project.value) writeViewSettings(project.value, view)
    },
    { deep: true },
  )

  // The one subscription to run statuses: patch the row at once, then fetch its new metrics.
  api().on('run.status', (s) => {
    if (s.projectId !== project.value) return
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

  /** Shows a project's runs; switching projects clears the selection and restores its table settings. */
  async function load(info: { id: string; path: string }): Promise<void> {
    if (info.id !== project.value) {
      project.value = null
      Object.assign(view, readViewSettings(info.id, info.path))
      project.value = info.id
      runs.value = []
      selected.value = []
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
      if (error.value?.startsWith('Could not refresh run')) error.value = null
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

  /**
   * Starts a run (one per seed when the config asks for several: the first is returned);
   * throws the backend's ApiError (with `.issues` for a bad config).
   */
  async function start(config: unknown, name?: string): Promise<RunRecord> {
    const path = requireProject()
    const { run, runs: started } = await api().call('runs.start', { project: path, config, name })
    for (const s of started) {
      jobs.remember(path, s.run.id, s.jobId)
      if (path === project.value) replace(s.run)
    }
    return run
  }

  /** Deletes a run; the backend refuses while it is queued or running. */
  async function remove(runId: number): Promise<void> {
    const path = requireProject()
    await api().call('runs.delete', { project: path, runId })
    runs.value = runs.value.filter((r) => r.id !== runId)
    selected.value = selected.value.filter((id) => id !== runId)
  }

  async function update(
    runId: number,
    patch: { name?: string; tags?: string[]; notes?: string },
  ): Promise<void> {
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
  function sortBy(key: string): void {
    view.sort =
      view.sort.key === key
        ? { key, dir: view.sort.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: firstSortDir(catalog.value.find((c) => c.key === key)) }
  }

  /** Shows or hides a column; the first change starts from the default columns. */
  function setColumn(key: string, on: boolean): void {
    const current = columns.value.map((c) => c.key)
    view.columns = on ? [...new Set([...current, key])] : current.filter((k) => k !== key)
  }

  function resetColumns(): void {
    view.columns = null
  }

  function clearFilter(): void {
    Object.assign(view.filter, { text: '', where: '', status: '', tag: '' })
  }

  return {
    project,
    runs,
    loading,
    error,
    selected,
    selectedRuns,
    view,
    catalog,
    columns,
    whereError,
    rows,
    visible,
    groups,
    referenceRun,
    allTags,
    canCompare,
    compareHint,
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
    setColumn,
    resetColumns,
    clearFilter,
  }
})
