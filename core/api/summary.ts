import { z } from 'zod'
import type { RunConfig } from './run-config.ts'
import { transformSchema } from './config/sections.ts'

/**
 * The run summary (what a run records; clients read it from `runs.get`), as a schema: the
 * renderer reads `StoredRunSummary` — fields added after the first runs are optional there,
 * so older summaries still read, and each says what its absence means — and the pipeline
 * writes `RunSummary`, the same schema with those fields required (`currentSummarySchema`).
 */

export const heldOutMetricsSchema = z.object({
  nearZero: z.number(),
  hoyerSparsity: z.number(),
  /** The optimized measure's mean value. */
  measure: z.number(),
  fanIn: z.number(),
})

/** Histogram of log10 |J| over held-out inputs: counts per bin, bins equally wide in log10. */
export const absHistogramSchema = z.object({
  log10Min: z.number(),
  log10Max: z.number(),
  /** Held-out inputs counted (absent in older runs: all of them). */
  samples: z.number().optional(),
  /** Entries exactly 0 (absent in runs made before it was counted apart: then inside `below`). */
  zeros: z.number().optional(),
  /** Entries with 0 < |J| < 10^log10Min (and exact zeros too, where `zeros` is absent). */
  below: z.number(),
  counts: z.array(z.number()),
})

export const layerSummarySchema = z.object({
  /** 1-based weight-layer index. */
  layer: z.number().int(),
  shape: z.tuple([z.number().int(), z.number().int()]),
  /** Whether a stage optimized a basis of this layer. */
  optimized: z.boolean(),
  optimizer: z.string().nullable(),
  steps: z.number().int(),
  seconds: z.number(),
  stopReason: z.string().nullable(),
  /** Objective over all objective inputs at the start and the end of the rotation phase. */
  objectiveStart: z.number(),
  objectiveEnd: z.number(),
  heldOut: z.object({ before: heldOutMetricsSchema, after: heldOutMetricsSchema }),
  /** The optimizer's trace: [step, seconds, minibatch objective], at most ~200 points. */
  trace: z.array(z.tuple([z.number(), z.number(), z.number()])),
  /** Held-out |J| histograms, neuron basis (before) and learned (after); absent in old runs. */
  histogram: z.object({ before: absHistogramSchema, after: absHistogramSchema }).optional(),
})

const point = z.object({ k: z.number(), accuracy: z.number() })

export const restartCensusSchema = z.object({
  /** Starts run (fewer than asked when cancelled). */
  starts: z.number().int(),
  converged: z.number().int(),
  /** Starts whose value is within valueTol (relative) of the best. */
  reachedBest: z.number().int(),
  /** Distinct bases among the results, counting bases equal up to sign and order as one. */
  distinctMinima: z.number().int(),
  best: z.object({ start: z.number().int(), value: z.number() }),
})

export const circuitGraphSchema = z.object({
  nodes: z.array(z.object({ id: z.string(), space: z.number().int(), index: z.number().int() })),
  edges: z.array(
    z.object({ from: z.string(), to: z.string(), layer: z.number().int(), weight: z.number() }),
  ),
})

export const faithfulnessOfBasisSchema = z.object({
  /** Accuracy with the k strongest connections kept, on the grid of k (for plotting). */
  curve: z.array(point),
  /** Per tolerance: the fewest connections within it of the full accuracy (exact search; older runs: on the curve). */
  fewest: z.record(z.string(), z.number().nullable()),
  /** Per tolerance: the fewest directions of the layer's input space kept (absent in older runs). */
  fewestNodes: z.record(z.string(), z.number().nullable()).optional(),
  /** Every number of kept directions the node search evaluated, with its accuracy. */
  nodeCurve: z.array(point).optional(),
})

export const libSummarySchema = z.object({
  /** max |Δ logit| on the held-out inputs with T and T⁻¹ inserted, and accuracy before and after. */
  maxAbsLogitDiff: z.number(),
  accuracyBefore: z.number(),
  accuracyAfter: z.number(),
  samples: z.number().int(),
  spaces: z.array(
    z.object({
      space: z.number().int(),
      /** Directions LIB keeps (the rest trail, as LIB drops them); `rank` have variance. */
      kept: z.number().int(),
      rank: z.number().int(),
      /** κ₂(T) and max |T·T⁻¹ − I| of the F32 copies the forward pass uses. */
      condition: z.number(),
      inverseError: z.number(),
    }),
  ),
})

export const analysesSummarySchema = z.object({
  /** pairwise scheme: how well the two bases found for each hidden space agree. */
  agreement: z
    .array(
      z.object({
        space: z.number().int(),
        meanAbsCos: z.number(),
        permutationDistance: z.number(),
        chance: z.number(),
      }),
    )
    .optional(),
  /** Held-out metrics per layer in simple bases beside the learned one (keys: BASELINE_NAMES, learned). */
  baselines: z
    .array(z.object({ layer: z.number().int(), bases: z.record(z.string(), heldOutMetricsSchema) }))
    .optional(),
  /**
   * Whether `baselines` and `lib` were found in the project's cache, left by an earlier run
   * of the same model on the same data and inputs, rather than computed by this run (absent
   * without baselines and in runs made before the cache).
   */
  baselinesFromCache: z.boolean().optional(),
  /** Per layer with a free rotation: fit on the first N objective inputs, evaluate held-out. */
  generalization: z
    .array(
      z.object({
        layer: z.number().int(),
        points: z.array(
          z.object({
            samples: z.number().int(),
            objective: z.number(),
            heldOut: heldOutMetricsSchema,
            steps: z.number().int(),
          }),
        ),
      }),
    )
    .optional(),
  /** LIB's change of basis inserted and checked like an oblique transform (absent before LIB). */
  lib: libSummarySchema.optional(),
  /**
   * Per layer and basis: accuracy when only the k strongest connections of the layer are
   * kept, and the fewest connections and directions of its input space (`nodeSpace`)
   * that keep accuracy within each tolerance.
   */
  faithfulness: z
    .array(
      z.object({
        layer: z.number().int(),
        fullAccuracy: z.number(),
        /** Absent in older runs. */
        nodeSpace: z.number().int().optional(),
        nodeRanking: z.enum(['objective', 'held-out']).optional(),
        bases: z.record(z.string(), faithfulnessOfBasisSchema),
      }),
    )
    .optional(),
  /** Per layer with a free output rotation: K random starts, how many converged, distinct minima. */
  restarts: z
    .array(
      z.object({
        layer: z.number().int(),
        census: restartCensusSchema,
        values: z.array(z.number()),
      }),
    )
    .optional(),
  circuit: circuitGraphSchema.optional(),
  /**
   * The random-network control: held-out metrics in the neuron and the learned basis for the
   * trained network and for an untrained one of the same shape, learned the same way.
   */
  control: z
    .object({
      budgetSeconds: z.number(),
      /** The seed of the untrained network's initialization. */
      seed: z.number().int(),
      layers: z.array(
        z.object({
          layer: z.number().int(),
          trained: z.object({ neuron: heldOutMetricsSchema, learned: heldOutMetricsSchema }),
          random: z.object({ neuron: heldOutMetricsSchema, learned: heldOutMetricsSchema }),
        }),
      ),
    })
    .optional(),
  /** Top-activating test inputs (canonical dataset indices) per direction of each hidden space. */
  features: z
    .array(
      z.object({
        space: z.number().int(),
        top: z.array(z.array(z.number().int())),
        /**
         * max − min of each direction's activation over the held-out inputs: 0 marks a
         * direction that carries nothing (its top inputs are arbitrary); absent in older runs.
         */
        spread: z.array(z.number()).optional(),
      }),
    )
    .optional(),
})

const conditioning = {
  condition: z.number(),
  columnNormError: z.number(),
  inverseError: z.number(),
}

/** The checks of an oblique run's transforms T_k (ã_k = T_k·a_k), at worst and per space. */
export const obliqueSummarySchema = z.object({
  /** The bound the optimizer kept κ₂(T_k) under (config rotation.maxCondition). */
  maxCondition: z.number(),
  /** Worst over spaces: κ₂(T_k); max |‖column of T_k⁻¹‖ − 1|; max |T_k·T_k⁻¹ − I| of the F32 copies. */
  ...conditioning,
  spaces: z.array(z.object({ space: z.number().int(), ...conditioning })),
})

/** Seconds per phase of the run (absent in runs before the breakdown was recorded). */
export const phaseTimesSchema = z.object({
  data: z.number().optional(),
  train: z.number().optional(),
  evaluate: z.number().optional(),
  rotate: z.number().optional(),
  verify: z.number().optional(),
  analyses: z.number().optional(),
  save: z.number().optional(),
})

export const runSummarySchema = z.object({
  app: z.object({ name: z.literal('basiscope'), version: z.string() }),
  backend: z.string(),
  /** Threads and library versions of the backend (absent in runs before native kernels). */
  compute: z
    .object({ threads: z.number().int(), versions: z.record(z.string(), z.string()) })
    .optional(),
  tfjsVersion: z.string(),
  /** The validated run config, as it was when the run ran (see `config.defaults`). */
  config: z.custom<RunConfig>((v) => typeof v === 'object' && v !== null),
  data: z.object({
    name: z.string(),
    sha256: z.string(),
    train: z.number().int(),
    test: z.number().int(),
    objectiveSamples: z.number().int(),
    heldOutSamples: z.number().int(),
  }),
  model: z.object({
    layers: z.array(z.number().int()),
    activation: z.string(),
    source: z.enum(['train', 'file']),
    testAccuracy: z.number(),
    trainSeconds: z.number(),
    trainHistory: z.array(
      z.object({ epoch: z.number().int(), loss: z.number(), accuracy: z.number() }),
    ),
  }),
  rotation: z.object({
    scheme: z.string(),
    measure: z.object({ name: z.string() }).passthrough(),
    optimizer: z.object({ name: z.string() }).passthrough(),
    init: z.string(),
    /** The activation spaces (0 = pixels … L = logits) whose bases were learned. */
    free: z.array(z.number().int()),
    seconds: z.number(),
    layers: z.array(layerSummarySchema),
    /**
     * Rotation runs: max |RᵀR − I|. Oblique runs: max |MᵀM − I| of the direction matrices
     * M = T⁻¹ (unit columns), the largest |cos| between two directions — how oblique the
     * basis is by design, not an error (see `oblique` for the checks).
     */
    orthogonalityError: z.number(),
    /** 'rotation' (R_k orthogonal) or 'oblique' (T_k invertible); absent in old runs: rotation. */
    transform: transformSchema.optional(),
    oblique: obliqueSummarySchema.optional(),
  }),
  functionPreservation: z.object({
    maxAbsLogitDiff: z.number(),
    accuracyBefore: z.number(),
    accuracyAfter: z.number(),
    samples: z.number().int(),
  }),
  /** What `config.analyses` asked for (baselines by default). */
  analyses: analysesSummarySchema,
  /** Files a CLI run with `--out` wrote; runs recorded in a project have none (nulls). */
  artifacts: z
    .object({
      model: z.string().nullable(),
      rotations: z.string().nullable(),
      rotatedWeights: z.string().nullable(),
      summary: z.string().nullable(),
      transforms: z.string().nullable().optional(),
      transformedWeights: z.string().nullable().optional(),
    })
    .optional(),
  phases: phaseTimesSchema.optional(),
  /**
   * What the run accepted but reported (ignored keys in a data file, a default count capped
   * to its list); absent when there was nothing.
   */
  warnings: z.array(z.string()).optional(),
  seconds: z.number(),
})

/** What today's pipeline writes: the stored schema with the fields added since required. */
const currentHistogramSchema = absHistogramSchema.extend({ samples: z.number(), zeros: z.number() })
const currentLayerSchema = layerSummarySchema.extend({
  histogram: z.object({ before: currentHistogramSchema, after: currentHistogramSchema }),
})
const currentFaithfulnessSchema = z.object({
  layer: z.number().int(),
  fullAccuracy: z.number(),
  nodeSpace: z.number().int(),
  nodeRanking: z.enum(['objective', 'held-out']),
  bases: z.record(
    z.string(),
    faithfulnessOfBasisSchema.required({ fewestNodes: true, nodeCurve: true }),
  ),
})
export const currentSummarySchema = runSummarySchema.extend({
  analyses: analysesSummarySchema.extend({
    faithfulness: z.array(currentFaithfulnessSchema).optional(),
  }),
  compute: runSummarySchema.shape.compute.unwrap(),
  rotation: runSummarySchema.shape.rotation.extend({
    layers: z.array(currentLayerSchema),
    transform: transformSchema,
  }),
  artifacts: runSummarySchema.shape.artifacts.unwrap(),
  phases: phaseTimesSchema,
})

export type HeldOutMetrics = z.infer<typeof heldOutMetricsSchema>
export type AbsJacobianHistogram = z.infer<typeof absHistogramSchema>
export type CircuitGraphSummary = z.infer<typeof circuitGraphSchema>
export type StoredAnalysesSummary = z.infer<typeof analysesSummarySchema>
export type RestartCensusSummary = z.infer<typeof restartCensusSchema>
export type StoredFaithfulnessOfBasis = z.infer<typeof faithfulnessOfBasisSchema>
export type LibSummary = z.infer<typeof libSummarySchema>
export type ObliqueSummary = z.infer<typeof obliqueSummarySchema>
export type PhaseTimes = z.infer<typeof phaseTimesSchema>
/** A summary as stored, from any version (what clients read). */
export type StoredRunSummary = z.infer<typeof runSummarySchema>
export type StoredLayerSummary = z.infer<typeof layerSummarySchema>
/** A summary as the pipeline writes it now. */
export type RunSummary = z.infer<typeof currentSummarySchema>
export type LayerSummary = z.infer<typeof currentLayerSchema>
export type AnalysesSummary = RunSummary['analyses']
export type FaithfulnessOfBasis = NonNullable<
  AnalysesSummary['faithfulness']
>[number]['bases'][string]
