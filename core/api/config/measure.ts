import { z } from 'zod'
import { positive } from './numbers.ts'

/**
 * The sparsity measure a run optimizes (config `rotation.measure`; DESIGN.md §1, Measures):
 * its name, parameters and defaults, declared once.
 */

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

export type MeasureSpec = z.infer<typeof measureSchema>
export type MeasureName = MeasureSpec['name']

/** Every measure the config knows, in schema order: forms and CLIs list these. */
export const MEASURE_NAMES = measureSchema.options.map(
  (o) => o.shape.name.value,
) as readonly MeasureName[]

/** A measure with its default parameters. */
export function measureDefaults<N extends MeasureName>(name: N): Extract<MeasureSpec, { name: N }> {
  return measureSchema.parse({ name }) as Extract<MeasureSpec, { name: N }>
}
