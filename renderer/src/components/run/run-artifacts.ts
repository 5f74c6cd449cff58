import {
  type BasisArtifact,
  type HeatmapBasis,
  artifactNames,
  basisArtifacts,
} from '../../../../core/api/artifacts.ts'
import type { ArtifactInfo } from '../../../../core/api/records.ts'

/**
 * Where the run view and Compare find a run's tensors among its artifacts: by the names and
 * kinds core/api/artifacts.ts gives them, never by spelling a name here.
 */

/** A layer's mean-|J| heatmap in one set of bases, if the run stored it. */
export function heatmapArtifact(
  list: readonly ArtifactInfo[],
  layer: number,
  basis: HeatmapBasis,
): ArtifactInfo | null {
  const name = artifactNames.heatmap(layer, basis)
  return list.find((a) => a.kind === 'mean-abs-jacobian' && a.name === name) ?? null
}

/** The layers a run stored mean-|J| heatmaps of, ascending. */
export function heatmapLayers(list: readonly ArtifactInfo[]): number[] {
  const layers = new Set<number>()
  for (const a of list) {
    const layer = (a.meta as { layer?: unknown } | null)?.layer
    if (a.kind === 'mean-abs-jacobian' && typeof layer === 'number') layers.add(layer)
  }
  return [...layers].sort((a, b) => a - b)
}

/** One space's learned basis with its artifacts: R (or an oblique run's T, with T⁻¹). */
export interface LearnedBasis extends Omit<BasisArtifact, 'forward' | 'inverse'> {
  readonly forward: ArtifactInfo
  readonly inverse: ArtifactInfo | null
}

/** Every learned basis the run stored, by space. */
export function learnedBases(list: readonly ArtifactInfo[]): LearnedBasis[] {
  const byId = new Map(list.map((a) => [a.id, a]))
  return basisArtifacts(list).flatMap((b) => {
    const forward = byId.get(b.forward)
    if (!forward) return []
    return [{ ...b, forward, inverse: b.inverse === null ? null : (byId.get(b.inverse) ?? null) }]
  })
}

/** The pixels of a hidden space's top-activating inputs (feature views). */
export function featureInputsArtifact(
  list: readonly ArtifactInfo[],
  space: number,
): ArtifactInfo | null {
  const name = artifactNames.featureInputs(space)
  return list.find((a) => a.kind === 'feature-inputs' && a.name === name) ?? null
}

/** The 28×28 input templates of layer 1's directions (feature views of hidden 1). */
export function featureTemplatesArtifact(list: readonly ArtifactInfo[]): ArtifactInfo | null {
  const name = artifactNames.featureTemplates(1)
  return list.find((a) => a.kind === 'feature-template' && a.name === name) ?? null
}
