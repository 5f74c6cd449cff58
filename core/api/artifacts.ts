/**
 * The vocabulary of a run's artifacts (tensors kept with the run): their kinds, their names
 * and how a reader finds a space's learned basis among them. The pipeline names artifacts
 * with these builders and every reader (export, compare, the renderer) finds them with the
 * same functions.
 */
export const ARTIFACT_KINDS = [
  /** A learned orthogonal basis R of a space (ã = R·a); meta.space. */
  'rotation',
  /** An oblique run's learned T of a space (ã = T·a, invertible, not orthogonal); meta.space. */
  'transform',
  /** T⁻¹ beside each 'transform' (its columns are the unit basis directions); meta.space. */
  'transform-inverse',
  /** Mean |J| over the held-out inputs of a layer in one set of bases; meta.layer, meta.basis. */
  'mean-abs-jacobian',
  /** Layer-1 input templates (row i: the 28×28 template of direction i). */
  'feature-template',
  /** Pixels of each direction's top-activating inputs, [direction, rank, pixel]; meta.space. */
  'feature-inputs',
  /** The model's weights and biases (`fc{k}.weight`, `fc{k}.bias`); meta.layer. */
  'model-weight',
] as const
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number]

/** The bases a layer's heatmap can be in. */
export type HeatmapBasis = 'neuron' | 'learned'

export const artifactNames = {
  rotation: (space: number) => `R${space}`,
  transform: (space: number) => `T${space}`,
  transformInverse: (space: number) => `Tinv${space}`,
  heatmap: (layer: number, basis: HeatmapBasis) => `layer${layer}.${basis}`,
  weight: (layer: number, part: 'weight' | 'bias') => `fc${layer}.${part}`,
  featureInputs: (space: number) => `space${space}.top-inputs`,
  featureTemplates: (layer: number) => `layer${layer}.templates`,
} as const

/** What a reader needs of an artifact to find a basis in a list. */
export interface ArtifactRef {
  readonly id: number
  readonly kind: string
  readonly meta: unknown
}

/** One space's learned basis: T (or R) and, for oblique runs, T⁻¹. */
export interface BasisArtifact {
  readonly space: number
  readonly kind: 'rotation' | 'oblique'
  readonly forward: number
  readonly inverse: number | null
}

function spaceOf(a: ArtifactRef): number | null {
  const space = (a.meta as { space?: unknown } | null)?.space
  return typeof space === 'number' && Number.isInteger(space) ? space : null
}

/**
 * The learned bases among a run's artifacts, by space. Oblique runs store T as 'transform'
 * beside 'transform-inverse'; runs made before that stored T as 'rotation' — a 'rotation'
 * with an inverse beside it is read as the oblique T it is.
 */
export function basisArtifacts(artifacts: readonly ArtifactRef[]): BasisArtifact[] {
  const bySpace = (kind: string) => {
    const m = new Map<number, number>()
    for (const a of artifacts) {
      const space = spaceOf(a)
      if (a.kind === kind && space !== null) m.set(space, a.id)
    }
    return m
  }
  const inverses = bySpace('transform-inverse')
  const forwards = new Map([...bySpace('rotation'), ...bySpace('transform')])
  return [...forwards]
    .sort(([a], [b]) => a - b)
    .map(([space, forward]) => {
      const inverse = inverses.get(space) ?? null
      return { space, kind: inverse === null ? 'rotation' : 'oblique', forward, inverse }
    })
}
