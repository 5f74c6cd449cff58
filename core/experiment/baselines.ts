import { rotatedActivations } from '../analysis/activations.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { Rng } from '../random/prng.ts'
import { type InitKind, initialRotation } from '../rotation/init/index.ts'
import type { BaselineName } from './analyses.ts'

export interface BasisSources {
  readonly params: MlpParams
  readonly objectiveData: readonly LayerData[]
  /** The objective inputs, [samples × d0]. */
  readonly x: Float32Array
  readonly samples: number
}

/**
 * A basis of one activation space by a simple rule (DESIGN.md §1, initializations):
 * `pca` of its activations on the objective inputs; `jtj`/`varimax` from the layer that
 * writes the space (the reading layer for the pixel space); `random` Haar; `identity`.
 */
export function basisFor(kind: InitKind, space: number, src: BasisSources, rng: Rng): Mat {
  const { params, objectiveData } = src
  const dim = params.sizes[space]
  const writer = space > 0
  return initialRotation(kind, {
    dim,
    rng,
    activations:
      kind === 'pca'
        ? rotatedActivations(
            params,
            null,
            space,
            src.x.subarray(0, src.samples * params.sizes[0]),
            src.samples,
          )
        : undefined,
    layer: writer ? objectiveData[space - 1] : objectiveData[0],
    side: writer ? 'out' : 'in',
    otherBasis: null,
  })
}

/**
 * Simple bases to hold a learned one against, for every activation space the run frees
 * (null = the identity elsewhere): random Haar, PCA, the mean-J·Jᵀ eigenbasis.
 */
export function baselineBases(
  name: Exclude<BaselineName, 'neuron'>,
  free: readonly number[],
  src: BasisSources,
  rng: Rng,
): (Mat | null)[] {
  const kind: InitKind = name === 'random' ? 'random' : name
  return src.params.sizes.map((_, space) =>
    free.includes(space) ? basisFor(kind, space, src, rng.fork(`space-${space}`)) : null,
  )
}
