import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { JobInfo } from '../../../core/api/commands/jobs.ts'
import { api } from '../api/client.ts'

/** The latest progress of one run's job, as its last job.progress event said. */
export interface RunProgress {
  jobId: string
  phase: string
  message: string
  /** Overall fraction of the run, 0..1. */
  fraction: number
  etaSeconds: number | null
}

/** Runs are identified across projects by the project's stable id and the run id. */
export function runKey(projectId: string, runId: number): string {
  return `${projectId}#${runId}`
}

const TERMINAL = new Set(['completed', 'cancelled', 'failed', 'interrupted'])

/**
 * Live progress of the backend's jobs, keyed by `${projectId}#${runId}`, and cancelling
 * them. Progress comes only from events; the job list is fetched to learn the job ids of
 * runs started before this page was loaded (needed to cancel them).
 */
export const useJobsStore = defineStore('jobs', () => {
  const progress = ref<Record<string, RunProgress>>({})
  const jobs = ref<JobInfo[]>([])
  const error = ref<string | null>(null)
  /** Job ids learned from runs.start, before any event or jobs.list names them. */
  const started = new Map<string, string>()

  // One subscription per store instance (the page has one): the store lives as long as the app.
  const client = api()
  client.on('job.progress', (p) => {
    progress.value[runKey(p.projectId, p.runId)] = {
      jobId: p.jobId,
      phase: p.phase,
      message: p.message,
      fraction: p.fraction,
      etaSeconds: p.etaSeconds,
    }
  })
  client.on('run.status', (s) => {
    if (!TERMINAL.has(s.status)) return
    const key = runKey(s.projectId, s.runId)
    // A finished run has no progress to show and no job to cancel.
    delete progress.value[key]
    started.delete(key)
    jobs.value = jobs.value.filter((j) => runKey(j.projectId, j.runId) !== key)
  })

  async function refresh(): Promise<void> {
    try {
      jobs.value = await api().call('jobs.list')
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  function progressFor(projectId: string, runId: number): RunProgress | null {
    return progress.value[runKey(projectId, runId)] ?? null
  }

  /** Records the job id runs.start returned, so the run can be cancelled at once. */
  function remember(projectId: string, runId: number, jobId: string): void {
    started.set(runKey(projectId, runId), jobId)
  }

  function knownJobId(key: string): string | null {
    const fromList = jobs.value.find(
      (j) => runKey(j.projectId, j.runId) === key && j.state !== 'finished',
    )
    return progress.value[key]?.jobId ?? started.get(key) ?? fromList?.jobId ?? null
  }

  /** The job running or queueing a run; asks the backend when no event has named it yet. */
  async function jobIdFor(projectId: string, runId: number): Promise<string | null> {
    const key = runKey(projectId, runId)
    const known = knownJobId(key)
    if (known) return known
    jobs.value = await api().call('jobs.list')
    return knownJobId(key)
  }

  /** Cancels a run's job; throws with the backend's message when there is none. */
  async function cancel(projectId: string, runId: number): Promise<void> {
    const jobId = await jobIdFor(projectId, runId)
    if (!jobId) throw new Error(`run ${runId} has no queued or running job to cancel`)
    await api().call('jobs.cancel', { jobId })
  }

  return { progress, jobs, error, refresh, progressFor, remember, jobIdFor, cancel }
})
