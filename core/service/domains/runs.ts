import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { BasiscopeError } from '../../errors.ts'
import { seedConfigs } from '../../api/run-config.ts'
import type { StoredRunSummary } from '../../api/summary.ts'
import { parseRunConfig } from '../../experiment/config.ts'
import type { DomainHandlers, ServiceContext } from '../context.ts'
import { compareRuns } from '../run-compare.ts'
import { exportFileBytes, exportList, exportRunFiles } from '../run-files.ts'

/** `runs.*`: starting runs, their records, series, comparison and export. */
export function runHandlers(ctx: ServiceContext): DomainHandlers<'runs'> {
  const { projects } = ctx
  /** The project's store and the run's record (NOT_FOUND when there is no such run). */
  const runOf = async (project: string, runId: number) => {
    const { store } = await projects.get(project)
    return { store, run: store.getRun(runId) }
  }
  return {
    'runs.list': async ({ project }) => (await projects.get(project)).store.listRuns(),
    'runs.get': async ({ project, runId }) => {
      const { store, run } = await runOf(project, runId)
      // Written by the run recorder from the summary the pipeline built to this schema; older
      // summaries lack only fields the schema marks optional.
      return { run, summary: store.runSummary(runId) as StoredRunSummary | null }
    },
    'runs.start': async ({ project, config, name }) => {
      const open = await projects.get(project)
      const configs = seedConfigs(parseRunConfig(config))
      const group = configs.length > 1 ? `seeds-${randomUUID()}` : null
      const runs = configs.map((c) =>
        ctx.recorder.start(open, c, name && group ? `${name} · seed ${c.seed}` : name, group),
      )
      return { ...runs[0], runs, group }
    },
    'runs.delete': async ({ project, runId }) => {
      const { store, run } = await runOf(project, runId)
      if (run.status === 'running' || run.status === 'queued') {
        throw new BasiscopeError(
          'INVALID_ARGUMENT',
          `run ${runId} is ${run.status}; cancel it first`,
        )
      }
      store.deleteRun(runId)
      return null
    },
    'runs.update': async ({ project, runId, name, notes, tags }) => {
      const { store } = await runOf(project, runId)
      if (tags) store.setTags(runId, tags)
      if (name !== undefined || notes !== undefined) store.updateRun(runId, { name, notes })
      return store.getRun(runId)
    },
    'runs.setNotes': async ({ project, runId, notes }) => {
      const { store } = await runOf(project, runId)
      return store.updateRun(runId, { notes })
    },
    'runs.metrics': async ({ project, runId, keys, maxPoints }) => {
      const { store } = await runOf(project, runId)
      const wanted = keys ?? store.metricKeys(runId)
      return Object.fromEntries(wanted.map((k) => [k, store.metricSeries(runId, k, maxPoints)]))
    },
    'runs.compare': async ({ project, runIds }) => {
      const { store } = await projects.get(project)
      return compareRuns(
        store,
        runIds.map((id) => store.getRun(id)),
      )
    },
    'runs.export': async ({ project, runId, directory, format, overwrite }) => {
      const { store, run } = await runOf(project, runId)
      const dir = resolve(ctx.workspace.dir, directory)
      return { files: exportRunFiles(store, run, dir, format, overwrite) }
    },
    'runs.exportList': async ({ project, runId }) => {
      const { store, run } = await runOf(project, runId)
      return exportList(store, run)
    },
    'runs.exportFile': async ({ project, runId, kind, format, tensor }) => {
      const { store, run } = await runOf(project, runId)
      return exportFileBytes(store, run, kind, format, tensor)
    },
  }
}
