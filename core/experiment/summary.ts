import type { HeldOutMetricsView, RunSummaryView } from '../api/summary.ts'
import type { MeasureSpec } from '../sparsity/measures/index.ts'
import type { AbsHistogram } from '../sparsity/metrics/abs-histogram.ts'
import type { AnalysesSummary } from './analyses.ts'
import type { RunConfig } from '../api/run-config.ts'

/** Held-out numbers of one layer in one set of bases (plain data: the API's type itself). */
export type HeldOutMetrics = HeldOutMetricsView

export interface LayerSummary {
  /** 1-based weight-layer index. */
  readonly layer: number
  readonly shape: readonly [number, number]
  /** Whether a stage optimized a rotation of this layer. */
  readonly optimized: boolean
  readonly optimizer: string | null
  readonly steps: number
  readonly seconds: number
  readonly stopReason: string | null
  /** Objective over all N objective inputs at the start and the end of the rotation phase. */
  readonly objectiveStart: number
  readonly objectiveEnd: number
  readonly heldOut: { readonly before: HeldOutMetrics; readonly after: HeldOutMetrics }
  /** The optimizer's trace: [step, seconds, minibatch objective], at most ~200 points. */
  readonly trace: readonly (readonly [number, number, number])[]
  /** log10 |J| histograms on the held-out inputs, neuron basis (before) and learned (after). */
  readonly histogram: { readonly before: AbsHistogram; readonly after: AbsHistogram }
}

/** The checks of an oblique run's transforms T_k (ã_k = T_k·a_k), at worst and per space. */
export interface ObliqueSummary {
  /** The bound the optimizer kept κ₂(T_k) under (config rotation.maxCondition). */
  readonly maxCondition: number
  /** max over spaces of κ₂(T_k) = σ_max/σ_min. */
  readonly condition: number
  /** max |‖column of T_k⁻¹‖ − 1|: the basis directions are unit vectors. */
  readonly columnNormError: number
  /** max |T_k·T_k⁻¹ − I| of the F32 copies stored with the run and exported. */
  readonly inverseError: number
  readonly spaces: readonly {
    readonly space: number
    readonly condition: number
    readonly columnNormError: number
    readonly inverseError: number
  }[]
}

export interface RunSummary {
  readonly app: { readonly name: 'basiscope'; readonly version: string }
  readonly backend: string
  /** Threads and library versions of the backend (absent in runs before native kernels). */
  readonly compute?: {
    readonly threads: number
    readonly versions: Readonly<Record<string, string>>
  }
  readonly tfjsVersion: string
  readonly config: RunConfig
  readonly data: {
    readonly name: string
    readonly sha256: string
    readonly train: number
    readonly test: number
    readonly objectiveSamples: number
    readonly heldOutSamples: number
  }
  readonly model: {
    readonly layers: readonly number[]
    readonly activation: string
    readonly source: 'train' | 'file'
    readonly testAccuracy: number
    readonly trainSeconds: number
    readonly trainHistory: readonly { epoch: number; loss: number; accuracy: number }[]
  }
  readonly rotation: {
    readonly scheme: string
    readonly measure: MeasureSpec
    readonly optimizer: RunConfig['rotation']['optimizer']
    readonly init: string
    readonly free: readonly number[]
    readonly seconds: number
    readonly layers: readonly LayerSummary[]
    /**
     * max over all rotations of max |RᵀR − I|. Oblique runs: max |MᵀM − I| for the direction
     * matrices M = T⁻¹ (unit columns), i.e. the largest |cos| between two learned directions
     * — how oblique the basis is by design, not an error (see `oblique` for the checks).
     */
    readonly orthogonalityError: number
    /** 'rotation' (R_k orthogonal) or 'oblique' (T_k invertible, unit basis directions). */
    readonly transform?: 'rotation' | 'oblique'
    /** Oblique runs: what is checked about the transforms instead of orthogonality. */
    readonly oblique?: ObliqueSummary
  }
  readonly functionPreservation: {
    readonly maxAbsLogitDiff: number
    readonly accuracyBefore: number
    readonly accuracyAfter: number
    readonly samples: number
  }
  /** What `config.analyses` asked for (baselines by default). */
  readonly analyses: AnalysesSummary
  readonly artifacts: {
    readonly model: string | null
    /** Rotation runs; null for oblique runs, which write `transforms` instead. */
    readonly rotations: string | null
    readonly rotatedWeights: string | null
    readonly summary: string | null
    /** Oblique runs: T{k} and Tinv{k}, and the weights reading transformed activations. */
    readonly transforms?: string | null
    readonly transformedWeights?: string | null
  }
  readonly seconds: number
}

/** Compile-time guard: what the pipeline writes is what clients read (core/api/summary.ts). */
export type SummaryMatchesApiView = RunSummary extends RunSummaryView ? true : never
const _summaryMatchesApiView: SummaryMatchesApiView = true
void _summaryMatchesApiView
