import { z } from 'zod'
import { int, positive } from './numbers.ts'

/**
 * The run config's `analyses` section: the analyses on top of a run (DESIGN.md §1,
 * Analyses); each is off unless asked for, except the baselines.
 */
export const analysesSchema = z.strictObject({
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
