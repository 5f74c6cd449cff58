import { basisArtifacts } from '../api/artifacts.ts'
import type { CommandResult } from '../api/contract.ts'
import type { RunRecord } from '../api/records.ts'
import {
  type RunBasis,
  basisDirections,
  basisSimilarity,
  squareMatrix,
} from '../analysis/basis-similarity.ts'
import type { ProjectStore } from '../store/types.ts'
import { configDiff, configTable } from '../api/run-views.ts'

type Comparison = CommandResult<'runs.compare'>

/** One run's learned basis for one activation space. */
interface SpaceBasis extends RunBasis {
  readonly space: number
  readonly transform: 'rotation' | 'oblique'
}

/**
 * The config a run is compared by: its recorded config, but named as the run is now (a run
 * renamed after it started keeps its old name in `config.name`).
 */
export function comparedConfig(run: RunRecord): unknown {
  const config = run.config
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return config
  return 'name' in config ? { ...config, name: run.name } : config
}

/**
 * The square transforms a run learned, per space: rotations as they are, an oblique run's T
 * read through its inverse (stored as 'transform-inverse') as unit basis directions.
 */
function runBases(store: ProjectStore, runId: number): SpaceBasis[] {
  const matOf = (id: number) => {
    const t = store.readArtifactTensor(id)
    return t ? squareMatrix(t) : null
  }
  const out: SpaceBasis[] = []
  for (const b of basisArtifacts(store.listArtifacts(runId))) {
    const transform = matOf(b.forward)
    if (!transform) continue
    const inverse = b.inverse === null ? null : matOf(b.inverse)
    out.push({
      runId,
      space: b.space,
      transform: inverse ? 'oblique' : 'rotation',
      directions: basisDirections(transform, inverse),
    })
  }
  return out
}

/** Why a run has no bases to compare. */
export function missingReason(run: RunRecord): string {
  switch (run.status) {
    case 'completed':
      return 'the run finished without learned bases'
    case 'failed':
    case 'interrupted':
      return `the run ${run.status}${run.error ? `: ${run.error.split('\n')[0]}` : ''}`
    default:
      return `the run is ${run.status}`
  }
}

/** Groups the bases by (space, size) and compares each group. */
function compareBases(bases: readonly SpaceBasis[]): Comparison['bases'] {
  const groups = new Map<string, SpaceBasis[]>()
  for (const b of bases) {
    const key = `${b.space}:${b.directions.rows}`
    groups.set(key, [...(groups.get(key) ?? []), b])
  }
  return [...groups.values()]
    .sort((x, y) => x[0].space - y[0].space || x[0].directions.rows - y[0].directions.rows)
    .map((group) => {
      const { space } = group[0]
      const similarity = basisSimilarity(group, space)
      return {
        space,
        size: similarity.size,
        chance: similarity.chance,
        runs: group.map((b, i) => {
          const { meanAbsCos, permutationDistance } = similarity.identity[i]
          return {
            runId: b.runId,
            transform: b.transform,
            identity: { meanAbsCos, permutationDistance },
          }
        }),
        pairs: similarity.pairs,
      }
    })
}

/**
 * Runs side by side: config differences, key metrics and how similar their bases are. Runs
 * without bases (failed, cancelled, …) are reported as such and the others compared fully.
 * The same run may appear more than once (it is then compared with itself).
 */
export function compareRuns(store: ProjectStore, runs: readonly RunRecord[]): Comparison {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.keyMetrics)))].sort()
  const configs = runs.map(comparedConfig)
  const bases: SpaceBasis[] = []
  const withoutResults: Comparison['withoutResults'] = []
  for (const run of runs) {
    const found = runBases(store, run.id)
    if (found.length === 0) {
      withoutResults.push({ runId: run.id, status: run.status, reason: missingReason(run) })
    }
    bases.push(...found)
  }
  return {
    runs: [...runs],
    configDiff: configDiff(configs),
    configTable: configTable(configs),
    metrics: keys.map((key) => ({ key, values: runs.map((r) => r.keyMetrics[key] ?? null) })),
    bases: compareBases(bases),
    withoutResults,
  }
}
