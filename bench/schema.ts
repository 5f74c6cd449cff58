import { z } from 'zod'

/**
 * The shape of `npm run bench -- --json` (DESIGN.md §2): every figure the README quotes,
 * as ratios against references measured in the same process. Tests check the shape, never
 * the timings.
 */
const checkpoint = z.object({ seconds: z.number(), objective: z.number() })

const optimizerResult = z.object({
  name: z.string(),
  /** The config it ran with (defaults filled in). */
  config: z.record(z.string(), z.unknown()),
  budgetSeconds: z.number(),
  steps: z.number().int(),
  seconds: z.number(),
  secondsPerStep: z.number(),
  checkpoints: z.array(checkpoint),
  finalObjective: z.number(),
  bestObjective: z.number(),
  /** Optimizer-only seconds to first reach reference-adam's objective; null: never. */
  secondsToReference: z.number().nullable(),
  /** reference-adam's seconds to its objective over this optimizer's; null: never reached. */
  speedupVsReference: z.number().nullable(),
  /** Seconds to reach seed-gd's best objective; null: never (or seed-gd made no progress). */
  secondsToSeedBest: z.number().nullable(),
  speedupVsSeed: z.number().nullable(),
  heldOut: z.object({ nearZero: z.number(), hoyerSparsity: z.number() }),
})

const problem = z.object({
  layer: z.number().int(),
  measure: z.record(z.string(), z.unknown()),
  start: z.number(),
  reference: z.object({
    budgetSeconds: z.number(),
    /** The best objective reference-adam reached within its budget. */
    objective: z.number(),
    /** The same when the budget is the 120 s the targets are stated for, else null. */
    objective120: z.number().nullable(),
    secondsToObjective: z.number(),
    steps: z.number().int(),
  }),
  seedGd: z.object({
    best: z.number(),
    /** False when seed-gd never went below the starting objective ("no progress"). */
    progressed: z.boolean(),
    secondsToBest: z.number().nullable(),
    secondsPerStep: z.number(),
    /** Its step at the best native matmul speed (the Jacobian and gradient GEMMs only). */
    nativeStepSeconds: z.number().nullable(),
  }),
  optimizers: z.array(optimizerResult),
})

export const benchReportSchema = z.object({
  mode: z.enum(['quick', 'full']),
  backend: z.string(),
  threads: z.number().int(),
  versions: z.record(z.string(), z.string()),
  samples: z.number().int(),
  model: z.object({ source: z.string(), layers: z.array(z.number().int()) }),
  /** The best dense float32 matmul of ONNX Runtime in this process; null without it. */
  nativeGemmGflops: z.number().nullable(),
  /** The fused layer-1 objective and gradient (Jacobian, measure, two GEMMs) on the active backend. */
  jacobianGflops: z.number(),
  jacobianShareOfGemm: z.number().nullable(),
  training: z.object({ secondsFor15Epochs: z.number(), testAccuracy: z.number() }),
  problems: z.array(problem),
})

export type BenchReport = z.infer<typeof benchReportSchema>
export type ProblemReport = z.infer<typeof problem>
export type OptimizerReport = z.infer<typeof optimizerResult>
