import { rotatedActivations } from '../analysis/activations.ts'
import { type LocalInteractionBasis, libBases } from '../analysis/local-interaction-basis.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import type { Mat } from '../linalg/matrix.ts'
import { type Space, atLayer, mapSpaces, readerOf, writerOf } from '../model/indices.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { Rng } from '../random/prng.ts'
import { type InitKind, initialRotation } from '../rotation/init/index.ts'
import type { BaselineName } from './analysis-context.ts'

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
export function basisFor(kind: InitKind, space: Space, src: BasisSources, rng: Rng): Mat {
  const { params, objectiveData } = src
  const dim = params.sizes[space]
  const written = space > 0
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
    layer: atLayer(objectiveData, written ? writerOf(space) : readerOf(space)),
    side: written ? 'out' : 'in',
    otherBasis: null,
  })
}

/**
 * LIB's basis of a space as the analyses take a baseline: T itself (ã = T·a, as the other
 * baselines give R), carrying its closed-form inverse and how many directions LIB keeps.
 * T is not orthogonal: its reading side is T⁻ᵀ, not T.
 */
export interface LibBaseline extends Mat {
  readonly lib: LocalInteractionBasis
}

export function isLibBaseline(m: Mat): m is LibBaseline {
  return 'lib' in m
}

/**
 * Simple bases to hold a learned one against, for every activation space the run frees
 * (null = the identity elsewhere): random Haar, PCA, the mean-J·Jᵀ eigenbasis, and the
 * Local Interaction Basis (analysis/local-interaction-basis.ts; oblique, `LibBaseline`).
 */
export function baselineBases(
  name: Exclude<BaselineName, 'neuron'>,
  free: readonly Space[],
  src: BasisSources,
  rng: Rng,
): (Mat | null)[] {
  if (name === 'lib') {
    return libBases(src.params, src.objectiveData, src.x, src.samples, free).map((b) =>
      b ? { ...b.forward, lib: b } : null,
    )
  }
  return mapSpaces(src.params.sizes, (_, space) =>
    free.includes(space) ? basisFor(name, space, src, rng.fork(`space-${space}`)) : null,
  )
}
