import type { LibSummary } from '../api/summary.ts'
import { type Mat, transpose } from '../linalg/matrix.ts'
import { conditionNumber, inverse, inverseError } from '../rotation/oblique/manifold.ts'
import type { AnalysisContext, BaselineName } from './analysis-context.ts'
import { isLibBaseline } from './baselines.ts'
import { functionCheck } from './verification.ts'

/**
 * Baseline bases as the analyses use them: on both sides of a layer's Jacobian, and LIB's
 * (not orthogonal) checked like an oblique transform when inserted.
 */

/** A basis set on both sides of the layer Jacobians: J_k = out[k]·D·W·in[k-1]ᵀ (null = identity). */
export interface BasisSet {
  readonly out: readonly (Mat | null)[]
  readonly in: readonly (Mat | null)[]
}

export function baselineSet(ctx: AnalysisContext, name: BaselineName): BasisSet {
  if (name === 'neuron') {
    const none = ctx.params.sizes.map(() => null)
    return { out: none, in: none }
  }
  const out = ctx.baselineBases(name)
  if (name !== 'lib') return { out, in: out }
  return { out, in: out.map((t) => t && transpose(inverseOf(t))) }
}

/** T⁻¹ of a LIB basis: its closed form when the pipeline passed it on, else by LU. */
function inverseOf(t: Mat): Mat {
  return isLibBaseline(t) ? t.lib.inverse : inverse(t)
}

/**
 * LIB inserted as T_k⁻¹·T_k in every space it has a basis for, run on the held-out inputs
 * (`predictLogits` with the changes), beside the conditioning of each T_k.
 */
export function libSummary(
  ctx: AnalysisContext,
  set: BasisSet,
  original: Float32Array,
): LibSummary {
  const changes = set.out.map((t, i) => (t ? { forward: t, inverse: transpose(set.in[i]!) } : null))
  const f32 = (m: Mat): Mat => ({ ...m, data: Float64Array.from(Float32Array.from(m.data)) })
  return {
    ...functionCheck(ctx.params, changes, ctx.xTest, ctx.yTest, original),
    spaces: changes.flatMap((c, space) => {
      const t = set.out[space]
      if (!c || !t) return []
      return [
        {
          space,
          kept: isLibBaseline(t) ? t.lib.kept : t.rows,
          rank: isLibBaseline(t) ? t.lib.rank : t.rows,
          condition: conditionNumber(c.forward),
          inverseError: inverseError(f32(c.forward), f32(c.inverse)),
        },
      ]
    }),
  }
}
