import type { RunRecord } from '../api/records.ts'
import type { StoredRunSummary } from '../api/summary.ts'
import { type RunExportFile, runFiles } from '../experiment/run-files.ts'
import type { ProjectStore } from '../store/types.ts'

export type { RunExportFile } from '../experiment/run-files.ts'

/**
 * The files of a recorded run (core/experiment/run-files.ts, the one writer of a run's
 * files), read from its project: tensors are read only by the writers that need them, and
 * `run.json` holds the run record beside its summary.
 */
export function runExportFiles(store: ProjectStore, run: RunRecord): RunExportFile[] {
  const summary = store.runSummary(run.id) as StoredRunSummary | null
  return runFiles(
    {
      artifacts: store.listArtifacts(run.id),
      tensor: (id) => {
        const t = store.readArtifactTensor(id)!
        return { shape: t.shape, data: Float32Array.from(t.data) }
      },
    },
    summary,
    { filename: 'run.json', value: () => ({ run, summary }) },
    { run: String(run.id), name: run.name },
  )
}
