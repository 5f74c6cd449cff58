import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandResult } from '../../core/api/contract.ts'
import type { ProjectInfo } from '../../core/api/records.ts'
import type { RunSummary } from '../../core/api/summary.ts'
import type { BasiscopeService } from '../../core/service/service.ts'
import { call, serviceFactory, statusIs, tinyConfig, waitForEvent } from '../helpers/service.ts'

/**
 * The baseline cache end to end: real worker processes, a real project file, and a service
 * restarted in between. Runs of one model in one project compute the baselines once.
 */

const sameModel = (init: string) => ({
  ...tinyConfig,
  rotation: { ...tinyConfig.rotation, init },
})

/** The cache table as the file holds it: key and the run that wrote it, in write order. */
function cacheRows(file: string): { key: string; run_id: number | null }[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare('SELECT key, run_id FROM cache_entries ORDER BY rowid').all() as {
      key: string
      run_id: number | null
    }[]
  } finally {
    db.close()
  }
}

/** A summary's baseline numbers without the learned basis (that one is each run's own). */
function baselineNumbers(s: RunSummary) {
  return {
    rows: s.analyses.baselines!.map((r) => {
      const { learned: _learned, ...simple } = r.bases
      return { layer: r.layer, simple }
    }),
    lib: s.analyses.lib,
  }
}

describe('service: the baseline cache of a project', () => {
  const services = serviceFactory()
  let workspaceDir = ''
  let project: ProjectInfo

  /** Starts the runs at once (one worker at a time), waits for all, returns their summaries. */
  async function runAll(service: BasiscopeService, configs: unknown[]): Promise<RunSummary[]> {
    const started: number[] = []
    for (const config of configs) {
      const { run } = await call<CommandResult<'runs.start'>>(service, 'runs.start', {
        project: project.id,
        config,
      })
      started.push(run.id)
    }
    const summaries: RunSummary[] = []
    for (const runId of started) {
      await waitForEvent(service, statusIs(runId, 'completed', 'failed', 'cancelled'))
      const got = await call<CommandResult<'runs.get'>>(service, 'runs.get', {
        project: project.id,
        runId,
      })
      expect(got.run, got.run.error ?? '').toMatchObject({ status: 'completed' })
      summaries.push(got.summary as RunSummary)
    }
    return summaries
  }

  let first: RunSummary
  let queuedBehind: RunSummary
  let afterRestart: RunSummary
  let otherSeed: RunSummary
  let otherModel: RunSummary
  let rowsBeforeRestart: ReturnType<typeof cacheRows>

  beforeAll(async () => {
    const a = services.make()
    workspaceDir = a.workspace.dir
    project = await call<ProjectInfo>(a, 'projects.create', { name: 'Cache' })
    // Queued together: the second worker starts after the first run has saved its entry.
    ;[first, queuedBehind] = await runAll(a, [sameModel('identity'), sameModel('random')])
    await services.closeAll()
    rowsBeforeRestart = cacheRows(project.path)

    const b = services.make({ workspaceDir })
    await call(b, 'projects.open', { path: project.path })
    ;[afterRestart, otherSeed, otherModel] = await runAll(b, [
      sameModel('pca'),
      { ...tinyConfig, seed: 7 },
      { ...tinyConfig, model: { ...tinyConfig.model, hidden: [10, 8] } },
    ])
  })
  afterAll(() => services.closeAll())

  it('computes the baselines in the first run of a model and saves them in the file', () => {
    expect(first.analyses.baselinesFromCache).toBe(false)
    expect(rowsBeforeRestart).toHaveLength(1)
    expect(rowsBeforeRestart[0].key).toMatch(/^baselines:[0-9a-f]{64}$/)
  })

  it('reuses them in later runs of the same model, to the same numbers', () => {
    for (const later of [queuedBehind, afterRestart]) {
      expect(later.analyses.baselinesFromCache).toBe(true)
      expect(baselineNumbers(later)).toEqual(baselineNumbers(first))
    }
    // The learned bases are each run's own: they differ from the first one's.
    const learned = (s: RunSummary) => s.analyses.baselines!.map((r) => r.bases.learned)
    expect(learned(queuedBehind)).not.toEqual(learned(first))
  })

  it('misses for another seed or another model, and keeps one entry for each', () => {
    expect(otherSeed.analyses.baselinesFromCache).toBe(false)
    expect(otherModel.analyses.baselinesFromCache).toBe(false)
    expect(baselineNumbers(otherSeed)).not.toEqual(baselineNumbers(first))
    const rows = cacheRows(project.path)
    expect(rows).toHaveLength(3)
    // The first entry is still the first run's; the new ones name the runs that wrote them.
    expect(rows[0]).toEqual(rowsBeforeRestart[0])
    expect(new Set(rows.map((r) => r.key)).size).toBe(3)
    expect(rows.slice(1).every((r) => r.run_id !== null && r.run_id > rows[0].run_id!)).toBe(true)
  })
})
