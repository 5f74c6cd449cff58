import { z } from 'zod'
import { heldOutMetricsSchema } from '../summary.ts'
import { packedFloat32Schema, runRef, tensorPayloadSchema } from './fields.ts'
import { transformSchema } from '../config/sections.ts'

/** A held-out input of a run: its position in the run's held-out list (0 …). */
const heldOutPosition = z.number().int().min(0)

/** One of a run's held-out inputs (the first `heldOutSamples` of its split's test list). */
export const heldOutInputSchema = z.object({
  input: z.number().int(),
  label: z.number().int(),
  /** The model's class for it (argmax of its logits). */
  prediction: z.number().int(),
})
export type HeldOutInput = z.infer<typeof heldOutInputSchema>

/** Most held-out inputs one `inputs.list` page lists. */
export const HELD_OUT_PAGE_MAX = 500
/** Most inputs one `inputs.mostChanged` answer lists. */
export const MOST_CHANGED_MAX = 200

/** The per-input metrics "most changed" ranks inputs by (their gain from neuron to learned basis). */
export const rankingMetricSchema = z.enum(['nearZero', 'hoyerSparsity'])
export type RankingMetric = z.infer<typeof rankingMetricSchema>
/** Most changed first as the most raised (`gained`: sparser in the learned basis) or most lowered. */
export const rankingOrderSchema = z.enum(['gained', 'lost'])
export type RankingOrder = z.infer<typeof rankingOrderSchema>

/** One layer's J(x) of one input in one set of bases, with this input's metrics. */
const basisJacobianSchema = z.object({
  /** J(x) as [rows, cols] float32 (signed). */
  jacobian: packedFloat32Schema,
  /** max |J_ij|: the explorer shows |J|/max, and nearZero counts |J| < threshold·max. */
  maxAbs: z.number(),
  /** nearZero, hoyerSparsity, the run's measure S(J(x)) and the mean effective fan-in. */
  metrics: heldOutMetricsSchema,
})

/** `inputs.jacobians`: one held-out input and each layer's J(x) in both bases. */
export const inputJacobiansSchema = z.object({
  runId: z.number().int(),
  input: z.number().int(),
  /** Its index in the dataset (the split's test list at `input`). */
  datasetIndex: z.number().int(),
  label: z.number().int(),
  prediction: z.number().int(),
  logits: z.array(z.number()),
  /** Its pixels, [height, width] in [0, 1]. */
  image: tensorPayloadSchema,
  /** How the learned bases act: rotations R (J = R·D·W·Rᵀ) or oblique T (J = T·D·W·T⁻¹). */
  transform: transformSchema,
  /** The run's evaluation.nearZeroThreshold (relative to max |J(x)|). */
  nearZeroThreshold: z.number(),
  /** The run's optimized measure (the `measure` metric), by name. */
  measure: z.string(),
  layers: z.array(
    z.object({
      layer: z.number().int(),
      shape: z.tuple([z.number().int(), z.number().int()]),
      /** In the neuron basis (every T = I): diag(σ'(z))·W. */
      neuron: basisJacobianSchema,
      /** In the run's learned bases (spaces it did not learn stay in the neuron basis). */
      learned: basisJacobianSchema,
    }),
  ),
})
export type InputJacobians = z.infer<typeof inputJacobiansSchema>

/** `inputs.list`: a page of a run's held-out inputs, for the explorer's digit grid. */
export const heldOutInputsSchema = z.object({
  /** Held-out inputs of the run, and how many have the label asked for (all: total). */
  total: z.number().int(),
  matching: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  classes: z.number().int(),
  /** How many held-out inputs have each label, [classes]. */
  classCounts: z.array(z.number().int()),
  inputs: z.array(heldOutInputSchema),
  /** Their pixels, [inputs, height·width] as 'uint8' 0–255. */
  pixels: tensorPayloadSchema,
})
export type HeldOutInputs = z.infer<typeof heldOutInputsSchema>

/** `inputs.mostChanged`: held-out inputs by how much the learned basis changes a metric at a layer. */
export const mostChangedSchema = z.object({
  layer: z.number().int(),
  metric: rankingMetricSchema,
  order: rankingOrderSchema,
  total: z.number().int(),
  /** Mean over every held-out input of learned − neuron. */
  meanGain: z.number(),
  /** Inputs the learned basis made sparser (gain > 0), and less sparse (gain < 0). */
  gained: z.number().int(),
  lost: z.number().int(),
  inputs: z.array(
    heldOutInputSchema.extend({ neuron: z.number(), learned: z.number(), gain: z.number() }),
  ),
  /** Their pixels, [inputs, height·width] as 'uint8' 0–255. */
  pixels: tensorPayloadSchema,
  width: z.number().int(),
  height: z.number().int(),
})
export type MostChanged = z.infer<typeof mostChangedSchema>

/** `inputs.*`: a run's held-out inputs and their Jacobians, for the input explorer. */
export const inputCommands = {
  /**
   * One held-out input of a run with learned bases (NOT_FOUND otherwise): its pixels, label
   * and prediction, and every layer's J(x) in the neuron and the learned basis with this
   * input's metrics. Computed in the explore worker, kept in memory per (run, input).
   */
  'inputs.jacobians': {
    params: runRef.extend({ input: heldOutPosition }),
    result: inputJacobiansSchema,
  },
  /** A page of a run's held-out inputs (all, or those with one label), with their pixels. */
  'inputs.list': {
    params: runRef.extend({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(HELD_OUT_PAGE_MAX).default(100),
      label: z.number().int().min(0).max(255).optional(),
    }),
    result: heldOutInputsSchema,
  },
  /**
   * The held-out inputs whose metric at a hidden layer the learned basis raised most
   * (`gained`) or lowered most (`lost`), from one pass over every held-out input in the
   * explore worker (progress: `inputs.progress`), kept in memory per (run, layer).
   */
  'inputs.mostChanged': {
    params: runRef.extend({
      layer: z.number().int().min(1),
      metric: rankingMetricSchema.default('nearZero'),
      order: rankingOrderSchema.default('gained'),
      limit: z.number().int().min(1).max(MOST_CHANGED_MAX).default(24),
    }),
    result: mostChangedSchema,
  },
  /** Stops an `inputs.mostChanged` pass still running (its callers get CANCELLED); false if none. */
  'inputs.cancelRanking': {
    params: runRef.extend({ layer: z.number().int().min(1) }),
    result: z.boolean(),
  },
} as const
