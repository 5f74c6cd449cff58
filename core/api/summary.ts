/**
 * The run summary as clients read it from `runs.get` (JSON). These are plain data types
 * with no engine imports, so the renderer can use them; `core/experiment/summary.ts`
 * checks at compile time that the summary the pipeline writes is assignable to this view,
 * so the two cannot drift apart.
 */
export interface HeldOutMetricsView {
  readonly nearZero: number
  readonly hoyerSparsity: number
  /** The optimized measure's mean value. */
  readonly measure: number
  readonly fanIn: number
}

/** Histogram of log10 |J| over held-out inputs: counts per bin, bins equally wide in log10. */
export interface AbsJacobianHistogramView {
  readonly log10Min: number
  readonly log10Max: number
  /** Held-out inputs counted (absent in older runs: all of them). */
  readonly samples?: number
  /** Entries exactly 0 (absent in runs made before it was counted apart: then inside `below`). */
  readonly zeros?: number
  /** Entries with 0 < |J| < 10^log10Min (and exact zeros too, where `zeros` is absent). */
  readonly below: number
  readonly counts: readonly number[]
}

export interface LayerSummaryView {
  readonly layer: number
  readonly shape: readonly [number, number]
  readonly optimized: boolean
  readonly optimizer: string | null
  readonly steps: number
  readonly seconds: number
  readonly stopReason: string | null
  readonly objectiveStart: number
  readonly objectiveEnd: number
  readonly heldOut: { readonly before: HeldOutMetricsView; readonly after: HeldOutMetricsView }
  readonly trace: readonly (readonly [number, number, number])[]
  /** |J| histograms in the neuron and learned bases (absent in summaries from older runs). */
  readonly histogram?: {
    readonly before: AbsJacobianHistogramView
    readonly after: AbsJacobianHistogramView
  }
}

export interface CircuitGraphView {
  readonly nodes: readonly { readonly id: string; readonly space: number; readonly index: number }[]
  readonly edges: readonly {
    readonly from: string
    readonly to: string
    readonly layer: number
    readonly weight: number
  }[]
}

export interface AnalysesSummaryView {
  readonly agreement?: readonly {
    space: number
    meanAbsCos: number
    permutationDistance: number
    chance: number
  }[]
  readonly baselines?: readonly {
    layer: number
    bases: Readonly<Record<string, HeldOutMetricsView>>
  }[]
  readonly generalization?: readonly {
    layer: number
    points: readonly {
      samples: number
      objective: number
      heldOut: HeldOutMetricsView
      steps: number
    }[]
  }[]
  /** LIB inserted as T_k⁻¹·T_k (oblique): function preservation and conditioning (absent before LIB). */
  readonly lib?: {
    maxAbsLogitDiff: number
    accuracyBefore: number
    accuracyAfter: number
    samples: number
    spaces: readonly {
      space: number
      kept: number
      rank: number
      condition: number
      inverseError: number
    }[]
  }
  readonly faithfulness?: readonly {
    layer: number
    fullAccuracy: number
    /** The space whose directions node ablation removes: the layer's input space (absent in older runs). */
    nodeSpace?: number
    nodeRanking?: 'objective' | 'held-out'
    bases: Readonly<
      Record<
        string,
        {
          curve: readonly { k: number; accuracy: number }[]
          /** Fewest connections per tolerance (exact search; older runs: on the curve). */
          fewest: Readonly<Record<string, number | null>>
          fewestNodes?: Readonly<Record<string, number | null>>
          nodeCurve?: readonly { k: number; accuracy: number }[]
        }
      >
    >
  }[]
  readonly restarts?: readonly {
    layer: number
    census: {
      readonly starts: number
      readonly converged: number
      readonly reachedBest: number
      readonly distinctMinima: number
      readonly best: { readonly start: number; readonly value: number }
    }
    values: readonly number[]
  }[]
  readonly circuit?: CircuitGraphView
  readonly features?: readonly { space: number; top: readonly (readonly number[])[] }[]
}

export interface RunSummaryView {
  readonly app: { readonly name: string; readonly version: string }
  readonly backend: string
  /** Threads and library versions of the backend (absent in runs before native kernels). */
  readonly compute?: {
    readonly threads: number
    readonly versions: Readonly<Record<string, string>>
  }
  readonly tfjsVersion: string
  /** The validated run config (see `config.defaults` for its shape). */
  readonly config: unknown
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
    readonly source: string
    readonly testAccuracy: number
    readonly trainSeconds: number
    readonly trainHistory: readonly { epoch: number; loss: number; accuracy: number }[]
  }
  readonly rotation: {
    readonly scheme: string
    readonly measure: { readonly name: string }
    readonly optimizer: { readonly name: string }
    readonly init: string
    readonly free: readonly number[]
    readonly seconds: number
    readonly layers: readonly LayerSummaryView[]
    /** Rotation runs: max |RᵀR − I|. Oblique runs: max |cos| between two directions. */
    readonly orthogonalityError: number
    /** Absent in runs made before oblique transforms existed: 'rotation'. */
    readonly transform?: 'rotation' | 'oblique'
    /** Oblique runs: κ₂(T_k), unit-direction and T·T⁻¹ checks, at worst and per space. */
    readonly oblique?: {
      readonly maxCondition: number
      readonly condition: number
      readonly columnNormError: number
      readonly inverseError: number
      readonly spaces: readonly {
        readonly space: number
        readonly condition: number
        readonly columnNormError: number
        readonly inverseError: number
      }[]
    }
  }
  readonly functionPreservation: {
    readonly maxAbsLogitDiff: number
    readonly accuracyBefore: number
    readonly accuracyAfter: number
    readonly samples: number
  }
  readonly analyses: AnalysesSummaryView
  readonly seconds: number
}
