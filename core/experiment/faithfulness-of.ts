import type { FaithfulnessOfBasis } from '../api/summary.ts'
import {
  FAITHFULNESS_TOLERANCES,
  edgeAblation,
  fewestKept,
  nodeAblation,
  targetAccuracy,
} from '../analysis/faithfulness.ts'
import { type Layer, layerIn } from '../model/indices.ts'
import type { AnalysisContext } from './analysis-context.ts'
import type { BasisSet } from './baseline-sets.ts'

/**
 * One basis set's faithfulness at layer k on the held-out inputs: the curve over `ks`, and
 * by exact search the fewest connections (ranked by `ranking`) and the fewest directions of
 * space k−1 (ranked by `importance`) within each tolerance of `full`.
 */
export function faithfulnessOf(
  ctx: AnalysisContext,
  set: BasisSet,
  k: Layer,
  ks: readonly number[],
  full: number,
  rank: { ranking: Float32Array; importance: Float64Array },
): FaithfulnessOfBasis {
  const { params, xTest, yTest } = ctx
  const edges = edgeAblation(params, set.out, k, rank.ranking, xTest, yTest, set.in)
  const curve = ks.map((c) => ({ k: c, accuracy: edges.at(c) }))
  const nodes = nodeAblation(params, set.out, layerIn(k), rank.importance, xTest, yTest, set.in)
  const perTolerance = (f: (target: number) => number | null): Record<string, number | null> =>
    Object.fromEntries(FAITHFULNESS_TOLERANCES.map((t) => [String(t), f(targetAccuracy(full, t))]))
  return {
    curve,
    fewest: perTolerance((target) => fewestKept(edges, target, curve)),
    fewestNodes: perTolerance((target) => fewestKept(nodes, target)),
    nodeCurve: nodes.evaluated(),
  }
}
