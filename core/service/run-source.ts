import { basisArtifacts } from '../api/artifacts.ts'
import type { ArtifactInfo, RunRecord } from '../api/records.ts'
import { BasiscopeError } from '../errors.ts'
import { type Mat, mat, transpose } from '../linalg/matrix.ts'
import { type Activation, type DenseLayer, type MlpParams, layerSizes } from '../model/mlp.ts'
import type { BasisChange } from '../rotation/transform.ts'
import type { ProjectStore } from '../store/types.ts'
import type { RunSource } from './jobs/explore-protocol.ts'
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

function matOf(store: ProjectStore, id: number): Mat {
  const t = store.readArtifactTensor(id)
  if (!t || t.shape.length !== 2) throw new Error(`artifact ${id} is not a matrix`)
  return mat(t.shape[0], t.shape[1], t.data)
}

/** The MLP from its `fc{k}.weight` / `fc{k}.bias` artifacts. */
function modelOf(store: ProjectStore, weights: readonly ArtifactInfo[]): MlpParams {
  const byName = new Map(weights.map((a) => [a.name, a]))
  const tensor = (name: string) => {
    const a = byName.get(name)
    const t = a ? store.readArtifactTensor(a.id) : null
    if (!t) throw new Error(`the run's model has no ${name}`)
    return t
  }
  const layers: DenseLayer[] = []
  for (let k = 1; byName.has(`fc${k}.weight`); k++) {
    const w = tensor(`fc${k}.weight`)
    layers.push({
      inDim: w.shape[1],
      outDim: w.shape[0],
      weight: Float32Array.from(w.data),
      bias: Float32Array.from(tensor(`fc${k}.bias`).data),
    })
  }
  const activation = (weights[0].meta as { activation?: Activation } | null)?.activation ?? 'relu'
  return { sizes: layerSizes(layers), activation, layers }
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
      const params = modelOf(store, weights)
      const changes: (BasisChange | null)[] = params.sizes.map(() => null)
      for (const b of bases) {
        if (b.space >= changes.length) continue
        const forward = matOf(store, b.forward)
        changes[b.space] =
          b.inverse === null
            ? { kind: 'rotation', forward, inverse: transpose(forward) }
            : { kind: 'oblique', forward, inverse: matOf(store, b.inverse) }
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
