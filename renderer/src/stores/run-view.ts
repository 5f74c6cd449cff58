import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { ExportFileKind, ExportFormat } from '../../../core/api/commands/runs.ts'
import type { EventPayload } from '../../../core/api/contract.ts'
import type { ArtifactInfo, MetricPoint, RunRecord, RunStatus } from '../../../core/api/records.ts'
import type { StoredRunSummary } from '../../../core/api/summary.ts'
import { api } from '../api/client.ts'
import { exportRunLink, linkLabel } from '../api/web-routes.ts'
import { downloadUrl } from '../export/download.ts'
import { type SeedGroup, fetchSeedGroup } from './seed-group.ts'

/** A fetched tensor, kept out of Vue's reactivity (100k-entry arrays must not be proxied). */
export interface TensorData {
  readonly info: ArtifactInfo
  readonly shape: readonly number[]
  readonly data: Float32Array
}

/** The last job.progress event of the run in view. */
export interface LiveProgress {
  readonly jobId: string
  readonly phase: string
  readonly message: string
  readonly fraction: number
  readonly etaSeconds: number | null
  readonly values: Readonly<Record<string, number>>
  /** Page time of the event (ms), to show how fresh it is. */
  readonly at: number
}

export const LIVE_STATUSES: readonly RunStatus[] = ['queued', 'running']
/** How often metric series and the artifact list are re-read while the run is live. */
export const POLL_MS = 2000
/** Points per metric series the view asks for (the backend downsamples). */
export const METRIC_POINTS = 1500

/**
 * Normalised for comparison: events name a project by absolute path (beside its id), an
 * older route may carry the same path with `./` segments, doubled or trailing separators.
 */
export function sameProject(a: string, b: string): boolean {
  const norm = (p: string) =>
    p
      .replace(/\\/g, '/')
      .replace(/\/\.(?=\/|$)/g, '')
      .replace(/\/{2,}/g, '/')
      .replace(/\/$/, '')
  const x = norm(a)
  const y = norm(b)
  // A relative route path still names the file the backend resolved.
  return x === y || (!y.startsWith('/') && x.endsWith(`/${y}`))
}

/**
 * The run in view: record and summary, artifacts, metric series, live progress while it
 * runs, and tensors fetched on demand (one request at a time, cached by artifact id).
 * Components read from here; only this store calls the API for the run view.
 */
export const useRunViewStore = defineStore('run-view', () => {
  const project = ref('')
  const runId = ref(0)
  const run = ref<RunRecord | null>(null)
  const summary = shallowRef<StoredRunSummary | null>(null)
  const artifacts = shallowRef<readonly ArtifactInfo[]>([])
  const metrics = shallowRef<Readonly<Record<string, readonly MetricPoint[]>>>({})
  const progress = shallowRef<LiveProgress | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const jobId = ref<string | null>(null)
  const cancelling = ref(false)
  /** The finished runs of the run's seed group, for the group's verdicts (null: none). */
  const seedGroup = shallowRef<SeedGroup | null>(null)
  /** Bumped on every load/unload: late replies of an earlier run are dropped. */
  let generation = 0
  let unsubscribe: (() => void)[] = []
  let timer: ReturnType<typeof setInterval> | null = null
  let polling = false
  const tensors = new Map<number, Promise<TensorData>>()
  let tensorQueue: Promise<unknown> = Promise.resolve()

  const status = computed<RunStatus | null>(() => run.value?.status ?? null)
  const live = computed(() => !!status.value && LIVE_STATUSES.includes(status.value))

  /** Whether an event is about the run in view (named by project id; older links: by path). */
  function isMine(p: { project: string; projectId: string; runId: number }): boolean {
    if (p.runId !== runId.value) return false
    return p.projectId === project.value || sameProject(p.project, project.value)
  }

  async function load(projectPath: string, id: number): Promise<void> {
    unload()
    const gen = generation
    project.value = projectPath
    runId.value = id
    loading.value = true
    subscribe()
    try {
      await Promise.all([fetchRun(gen), fetchArtifacts(gen), fetchMetrics(gen)])
      if (gen !== generation) return
      if (live.value) startPolling()
    } catch (e) {
      if (gen === generation) error.value = (e as Error).message
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  /** Stops listening and polling and forgets the run (the view is leaving). */
  function unload(): void {
    generation++
    for (const off of unsubscribe) off()
    unsubscribe = []
    stopPolling()
    run.value = null
    summary.value = null
    artifacts.value = []
    metrics.value = {}
    progress.value = null
    error.value = null
    jobId.value = null
    cancelling.value = false
    loading.value = false
    seedGroup.value = null
    tensors.clear()
  }

  function subscribe(): void {
    const client = api()
    unsubscribe.push(
      client.on('job.progress', (p) => {
        if (!isMine(p)) return
        jobId.value = p.jobId
        progress.value = {
          jobId: p.jobId,
          phase: p.phase,
          message: p.message,
          fraction: p.fraction,
          etaSeconds: p.etaSeconds,
          values: p.values ?? {},
          at: Date.now(),
        }
        // Progress means it runs, even if the run.status event was missed.
        if (run.value && run.value.status === 'queued')
          run.value = { ...run.value, status: 'running' }
        startPolling()
      }),
      client.on('run.status', (s) => {
        if (isMine(s)) void onStatus(s)
      }),
    )
  }

  async function onStatus(s: EventPayload<'run.status'>): Promise<void> {
    const gen = generation
    if (run.value) run.value = { ...run.value, status: s.status, error: s.error ?? run.value.error }
    if (LIVE_STATUSES.includes(s.status)) {
      startPolling()
      return
    }
    // Finished one way or another: the summary and the last artifacts are now stored.
    stopPolling()
    progress.value = null
    jobId.value = null
    cancelling.value = false
    try {
      await Promise.all([fetchRun(gen), fetchArtifacts(gen), fetchMetrics(gen)])
    } catch (e) {
      if (gen === generation) error.value = (e as Error).message
    }
  }

  async function fetchRun(gen = generation): Promise<void> {
    const r = await api().call('runs.get', { project: project.value, runId: runId.value })
    if (gen !== generation) return
    run.value = r.run
    summary.value = r.summary ? markRaw(r.summary as StoredRunSummary) : null
    if (summary.value && r.run.group) void fetchGroup(gen, r.run, summary.value)
  }

  /** The seed group's finished runs; without them the view shows the run's own verdicts. */
  async function fetchGroup(gen: number, r: RunRecord, s: StoredRunSummary): Promise<void> {
    try {
      const g = await fetchSeedGroup(project.value, r, s)
      if (gen === generation) seedGroup.value = g ? markRaw(g) : null
    } catch {
      if (gen === generation) seedGroup.value = null
    }
  }

  async function fetchArtifacts(gen = generation): Promise<void> {
    const list = await api().call('artifacts.list', { project: project.value, runId: runId.value })
    if (gen === generation) artifacts.value = markRaw(list)
  }

  async function fetchMetrics(gen = generation): Promise<void> {
    const m = await api().call('runs.metrics', {
      project: project.value,
      runId: runId.value,
      maxPoints: METRIC_POINTS,
    })
    if (gen === generation) metrics.value = markRaw(m)
  }

  function startPolling(): void {
    if (timer) return
    timer = setInterval(() => void poll(), POLL_MS)
  }

  function stopPolling(): void {
    if (timer) clearInterval(timer)
    timer = null
  }

  /**
   * One poll while live: metric series (live curves), artifacts (early heatmaps) and the
   * record, whose status also tells of a run another process drives (the CLI), which
   * sends this page no events.
   */
  async function poll(): Promise<void> {
    if (polling) return
    polling = true
    const gen = generation
    try {
      await Promise.all([fetchMetrics(gen), fetchArtifacts(gen), fetchRun(gen)])
      if (gen === generation && !live.value) {
        // Finished between polls: read what the end of the run stored.
        stopPolling()
        progress.value = null
        jobId.value = null
        cancelling.value = false
        await Promise.all([fetchMetrics(gen), fetchArtifacts(gen)])
      }
    } catch {
      // A missed poll is retried by the next one; the view keeps what it has.
    } finally {
      polling = false
    }
  }

  async function reload(): Promise<void> {
    await load(project.value, runId.value)
  }

  function artifact(kind: string, name: string): ArtifactInfo | undefined {
    return artifacts.value.find((a) => a.kind === kind && a.name === name)
  }

  function artifactsOf(kind: string): ArtifactInfo[] {
    return artifacts.value.filter((a) => a.kind === kind)
  }

  /**
   * A tensor by artifact id. Requests go out one at a time (large payloads would
   * otherwise arrive together and stall the page); repeated asks share one request.
   */
  function tensor(id: number): Promise<TensorData> {
    const cached = tensors.get(id)
    if (cached) return cached
    const gen = generation
    const from = project.value
    const p = tensorQueue.then(async () => {
      const r = await api().call('artifacts.get', { project: from, artifactId: id })
      if (!r.tensor) throw new Error(`artifact ${r.info.name} holds no tensor`)
      return markRaw({
        info: r.info,
        shape: r.tensor.shape,
        data: Float32Array.from(r.tensor.data),
      }) as TensorData
    })
    tensorQueue = p.catch(() => undefined)
    // A failed fetch is not cached: asking again retries.
    p.catch(() => {
      if (gen === generation && tensors.get(id) === p) tensors.delete(id)
    })
    tensors.set(id, p)
    return p
  }

  /** The job of the run in view: from progress events, else the backend's job list. */
  async function findJobId(): Promise<string | null> {
    if (jobId.value) return jobId.value
    const jobs = await api().call('jobs.list')
    const job = jobs.find((j) => isMine(j) && j.state !== 'finished')
    jobId.value = job?.jobId ?? null
    return jobId.value
  }

  /** Asks the backend to cancel; the run.status event then says when it stopped. */
  async function cancel(): Promise<void> {
    if (!live.value || cancelling.value) return
    cancelling.value = true
    try {
      const id = await findJobId()
      if (!id) throw new Error('this run has no job to cancel (it may have just finished)')
      await api().call('jobs.cancel', { jobId: id })
    } catch (e) {
      cancelling.value = false
      throw e
    }
  }

  async function update(changes: {
    name?: string
    tags?: string[]
    notes?: string
  }): Promise<void> {
    const gen = generation
    const r = await api().call('runs.update', {
      project: project.value,
      runId: runId.value,
      ...changes,
    })
    if (gen === generation) run.value = r
  }

  async function rename(name: string): Promise<void> {
    const trimmed = name.trim()
    if (!trimmed || trimmed === run.value?.name) return
    await update({ name: trimmed })
  }

  async function setTags(tags: readonly string[]): Promise<void> {
    await update({ tags: [...new Set(tags.map((t) => t.trim()).filter(Boolean))] })
  }

  async function setNotes(notes: string): Promise<void> {
    await update({ notes })
  }

  /**
   * One export file as the backend makes it, for download: a safetensors file or run.json,
   * or (`npy`) one tensor of a safetensors file as a NumPy `.npy`.
   */
  function exportFile(kind: ExportFileKind, format: ExportFormat = 'safetensors', tensor?: string) {
    return api().call('runs.exportFile', {
      project: project.value,
      runId: runId.value,
      kind,
      format,
      tensor,
    })
  }

  /**
   * Every export file of the run at once: in the browser one zip download, in Electron into a
   * folder its dialog picks (null when cancelled; files already there are not replaced).
   * Returns what to tell the user.
   */
  async function exportAll(format: ExportFormat = 'safetensors'): Promise<string | null> {
    const bridge = globalThis.window?.basiscope
    if (!bridge) {
      const link = await exportRunLink(project.value, runId.value, format)
      downloadUrl(link.download, link.filename)
      return `Downloading ${linkLabel(link)}`
    }
    const directory = await bridge.pickPath({
      kind: 'directory',
      title: `Export the files of run ${runId.value}`,
    })
    if (!directory) return null
    const { files } = await api().call('runs.export', {
      project: project.value,
      runId: runId.value,
      directory,
      format,
    })
    return `Exported ${files.length} files to ${directory}`
  }

  /** The files the run can be exported as, with the tensors each holds. */
  function exportList() {
    return api().call('runs.exportList', { project: project.value, runId: runId.value })
  }

  return {
    project,
    runId,
    run,
    summary,
    artifacts,
    metrics,
    seedGroup,
    progress,
    loading,
    error,
    jobId,
    cancelling,
    status,
    live,
    load,
    unload,
    reload,
    refreshMetrics: () => fetchMetrics(),
    artifact,
    artifactsOf,
    tensor,
    cancel,
    rename,
    setTags,
    setNotes,
    exportFile,
    exportAll,
    exportList,
  }
})
