import { z } from 'zod'
import { int, positive } from './numbers.ts'

/**
 * The rotation optimizers a run can use (config `rotation.optimizer`; DESIGN.md §1,
 * Rotation optimizers): each one's options and defaults, declared once. The optimizers
 * themselves (core/rotation/optimizers) read their defaults from here.
 */
/** Adam's moment decays, PyTorch's defaults (every Adam-type optimizer). */
const adamMoments = {
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
}

/** The backtracking (Armijo) line search rgd-armijo, rcg and irls-lp share. */
const armijoLineSearch = {
  alpha0: positive().default(1),
  c: z.number().gt(0).lt(1).default(1e-4),
  maxHalvings: int(1, 60).default(30),
}

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
    ...adamMoments,
    batchSize: int(1).nullable().default(32),
    warmupSteps: int(0).default(20),
  }),
  // What a PyTorch user would write: full-batch Adam on A with R = expm(A − Aᵀ)·R₀.
  z.strictObject({
    name: z.literal('reference-adam'),
    lr: positive().default(1e-2),
    ...adamMoments,
    batchSize: int(1).nullable().default(null),
  }),
  // Line-search methods: full batch by default, as a line search needs one objective.
  z.strictObject({
    name: z.literal('rgd-armijo'),
    ...armijoLineSearch,
    batchSize: int(1).nullable().default(null),
  }),
  z.strictObject({
    name: z.literal('rcg'),
    ...armijoLineSearch,
    restartEvery: int(1).nullable().default(null),
    batchSize: int(1).nullable().default(null),
  }),
  // IRLS-Lp (GPArotation's GPForth.lp): reweighted least squares around gradient projection;
  // full batch by default, as its line search wants; lp and log only (IRLS_MEASURES).
  z.strictObject({
    name: z.literal('irls-lp'),
    innerSteps: int(1).default(5),
    ...armijoLineSearch,
    batchSize: int(1).nullable().default(null),
  }),
  z.strictObject({
    name: z.literal('landing'),
    lr: positive().default(0.01),
    finalLrFraction: z.number().min(0).max(1).default(0.05),
    ...adamMoments,
    attraction: z.number().gt(0).lt(1).default(0.5),
    epsilon: z.number().gt(0).lt(1).default(0.5),
    batchSize: int(1).nullable().default(64),
  }),
  z.strictObject({
    name: z.literal('dyntriv'),
    lr: positive().default(0.005),
    finalLrFraction: z.number().min(0).max(1).default(0.05),
    ...adamMoments,
    foldEvery: int(1).default(100),
    foldNorm: positive().default(Math.PI / 2),
    resetMoments: z.boolean().default(false),
    batchSize: int(1).nullable().default(64),
  }),
])

export type OptimizerConfig = z.infer<typeof optimizerSchema>
export type OptimizerName = OptimizerConfig['name']

/** The options of one optimizer (its config entry without the name). */
export type OptimizerOptions<N extends OptimizerName> = Omit<
  Extract<OptimizerConfig, { name: N }>,
  'name'
>

/** Every optimizer the config knows, in schema order: forms and CLIs list these. */
export const OPTIMIZER_NAMES = optimizerSchema.options.map(
  (o) => o.shape.name.value,
) as readonly OptimizerName[]

/** An optimizer's options with every default filled in from the schema. */
export function optimizerDefaults<N extends OptimizerName>(name: N): OptimizerOptions<N> {
  const { name: _name, ...options } = optimizerSchema.parse({ name }) as Extract<
    OptimizerConfig,
    { name: N }
  >
  return options as OptimizerOptions<N>
}
