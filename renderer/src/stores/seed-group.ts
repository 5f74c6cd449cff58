import type { RunRecord } from '../../../core/api/records.ts'
import type { StoredRunSummary } from '../../../core/api/summary.ts'
import { api } from '../api/client.ts'

/** The finished runs of a seed group (one config over several model seeds) and their summaries. */
export interface SeedGroup {
  readonly runIds: readonly number[]
  readonly summaries: readonly StoredRunSummary[]
}

/**
 * The completed runs of `run`'s seed group, it included (its summary is the one given), or
 * null for a run that is not in a group or whose group has fewer than two finished runs.
 */
export async function fetchSeedGroup(
  project: string,
  run: RunRecord,
  summary: StoredRunSummary,
): Promise<SeedGroup | null> {
  if (!run.group) return null
  const client = api()
  const members = (await client.call('runs.list', { project }))
    .filter((r) => r.group === run.group && r.status === 'completed')
    .sort((a, b) => a.id - b.id)
  if (members.length < 2) return null
  const found = await Promise.all(
    members.map(async (m) =>
      m.id === run.id
        ? { id: m.id, summary }
        : {
            id: m.id,
            summary: (await client.call('runs.get', { project, runId: m.id }))
              .summary as StoredRunSummary | null,
          },
    ),
  )
  const done = found.filter((f): f is { id: number; summary: StoredRunSummary } => !!f.summary)
  return done.length < 2
    ? null
    : { runIds: done.map((d) => d.id), summaries: done.map((d) => d.summary) }
}
