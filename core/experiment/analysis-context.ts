import type { RunConfig } from '../api/run-config.ts'
import type { HeldOutMetrics } from '../api/summary.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import type { Mat } from '../linalg/matrix.ts'
import type { Layer, Space } from '../model/indices.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { Rng } from '../random/prng.ts'
import type { RotationOptimizer } from '../rotation/optimizers/index.ts'
import type { TransformKind } from '../rotation/transform.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import type { CachedBaselines } from './baseline-cache.ts'
import type { RunArtifact } from './run-context.ts'

/** What the analyses work from: the run's model, bases, inputs and the pipeline's services. */
export type BaselineName = 'neuron' | 'random' | 'pca' | 'jtj' | 'lib'

/** The bases every run holds a learned one against, in report order. */
export const BASELINE_NAMES: readonly BaselineName[] = ['neuron', 'random', 'pca', 'jtj', 'lib']

export interface AnalysisContext {
  readonly config: RunConfig
  readonly params: MlpParams
  /** The learned bases as they act on activations, ã_k = bases[k]·a_k: R_k, or T_k (oblique). */
  readonly bases: readonly (Mat | null)[]
  /**
   * Oblique runs: the matrices the reading side of a layer takes (T_k⁻ᵀ, so that
   * J = T_k·D·W·T_{k-1}⁻¹; see rotation/transform.ts BasisSides). Default: `bases`.
   */
  readonly inBases?: readonly (Mat | null)[]
  /** What `optimizer` learns (generalization re-optimizes with it); default 'rotation'. */
  readonly transform?: TransformKind
  readonly free: readonly Space[]
  /** Per layer (entry k−1 is layer k), as `heldData`. */
  readonly objectiveData: readonly LayerData[]
  /**
   * The objective inputs `objectiveData` describes ([samples × d_0]): node ablation ranks
   * directions on them. Without them it ranks on the held-out inputs (and says so).
   */
  readonly objectiveX?: Float32Array
  readonly heldData: readonly LayerData[]
  readonly measure: Measure
  readonly xTest: Float32Array
  readonly yTest: Uint8Array
  readonly testIndices: readonly number[]
  readonly optimizer: RotationOptimizer
  readonly rng: Rng
  readonly signal?: AbortSignal
  /**
   * Bases of a baseline for every space as they act (null = identity); supplied by the
   * pipeline. Orthogonal, but for 'lib' (T, whose reading side is T⁻ᵀ; see LibBaseline).
   */
  baselineBases(name: Exclude<BaselineName, 'neuron'>): (Mat | null)[]
  heldOut(layer: Layer, rIn: Mat | null, rOut: Mat | null): HeldOutMetrics
  /** Held-out metrics the run already has, per layer: not computed again. */
  readonly known: {
    readonly neuron: readonly HeldOutMetrics[]
    readonly learned: readonly HeldOutMetrics[]
  }
  progress(fraction: number, message: string): void
  /** The baselines' held-out metrics earlier runs of the same model computed (or null), and where to leave them. */
  readonly baselineCache?: {
    get(): CachedBaselines | null
    set(value: CachedBaselines): void
  }
  artifact(a: RunArtifact): void
}
