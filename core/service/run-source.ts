import { basisArtifacts } from '../api/artifacts.ts'
import type { RunRecord } from '../api/records.ts'
import { BasiscopeError } from '../errors.ts'
import type { RunSource } from '../experiment/explore.ts'
import { basisChangeOf, modelFromTensors } from '../experiment/recorded-model.ts'
import type { Activation } from '../api/config/sections.ts'
import type { ProjectStore } from '../store/types.ts'
import { missingReason } from './run-compare.ts'

/**
 * What the explore worker needs of a recorded run, read from its project: the model from its
 * `fc{k}` weights, each learned basis as it acts (R with Rᵀ, or an oblique run's T with the
 * T⁻¹ stored beside it) and the config its held-out inputs come from.
 */

/** The artifacts a run's source is read from; their ids name it (see RunSource.key). */
function sourceArtifacts(store: ProjectStore, run: RunRecord) {
  const artifacts = store.listArtifacts(run.id)
  const weights = artifacts.filter((a) => a.kind === 'model-weight')
  const bases = basisArtifacts(artifacts)
  if (bases.length === 0 || weights.length === 0) {
    throw new BasiscopeError(
      'NOT_FOUND',
      `run ${run.id} has no ${bases.length === 0 ? 'learned bases' : 'model weights'} to explore (${missingReason(run)})`,
      'runId',
    )
  }
  return { weights, bases }
}

/** A run's source by its key (cheap: one artifact list), read in full only when needed. */
export interface RunSourceRef {
  readonly key: string
  readonly transform: 'rotation' | 'oblique'
  read(): RunSource
}

export function runSourceRef(
  store: ProjectStore,
  projectId: string,
  run: RunRecord,
  baseDir: string,
): RunSourceRef {
  const { weights, bases } = sourceArtifacts(store, run)
  const ids = [...weights.map((a) => a.id), ...bases.flatMap((b) => [b.forward, b.inverse ?? 0])]
  const key = `${projectId}:${run.id}:${ids.join(',')}`
  return {
    key,
    transform: bases.some((b) => b.kind === 'oblique') ? 'oblique' : 'rotation',
    read: () => {
      const byName = new Map(weights.map((a) => [a.name, a.id]))
      const tensorOf = (id: number | undefined) =>
        id === undefined ? null : store.readArtifactTensor(id)
      const activation = (weights[0].meta as { activation?: Activation } | null)?.activation
      const params = modelFromTensors((name) => tensorOf(byName.get(name)), activation ?? 'relu')
      const changes: RunSource['changes'][number][] = params.sizes.map(() => null)
      for (const b of bases) {
        if (b.space >= changes.length) continue
        const what = `run ${run.id}'s basis of space ${b.space}`
        const forward = tensorOf(b.forward)
        const inverse = b.inverse === null ? null : tensorOf(b.inverse)
        if (!forward || (b.inverse !== null && !inverse)) {
          throw new BasiscopeError('NOT_FOUND', `${what} has no stored tensor`)
        }
        changes[b.space] = basisChangeOf(forward, inverse, what)
      }
      return {
        key,
        runId: run.id,
        config: run.config,
        baseDir,
        datasetSha256: run.datasetSha256,
        params,
        changes,
      }
    },
  }
}
