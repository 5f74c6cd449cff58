import type { HeldOutMetrics, StoredRunSummary } from '../../../../core/api/summary.ts'

/**
 * The run view's vocabulary, as pure functions and constants: config values by path, names
 * of spaces, layers and bases, the held-out metrics and which way is sparser, the function
 * check's tolerance, where each analysis is switched on. Tables are in run-tables.ts,
 * curves in run-curves.ts.
 */

/** A config value by dotted path ('analyses.features'), undefined when absent. */
export function configValue(config: unknown, path: string): unknown {
  let v: unknown = config
  for (const key of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

/** Activation space names: 0 is the input (pixels), L the logits, between them hidden k. */
export function spaceName(space: number, layers: number): string {
  if (space === 0) return 'input'
  if (space === layers) return 'logits'
  return `hidden ${space}`
}

/** "Layer 1 · input → hidden 1". */
export function layerTitle(layer: number, layers: number): string {
  return `Layer ${layer} · ${spaceName(layer - 1, layers)} → ${spaceName(layer, layers)}`
}

export type HeldOutKey = keyof HeldOutMetrics

/** The held-out metrics, and which direction means sparser. */
export const HELD_OUT_METRICS: readonly {
  key: HeldOutKey
  label: string
  higherIsSparser: boolean
  description: string
}[] = [
  {
    key: 'nearZero',
    label: 'near-zero',
    higherIsSparser: true,
    description: 'share of entries below 1% of the per-input max |J|',
  },
  {
    key: 'hoyerSparsity',
    label: 'Hoyer',
    higherIsSparser: true,
    description: 'Hoyer sparsity in [0, 1]',
  },
  {
    key: 'measure',
    label: 'measure',
    higherIsSparser: false,
    description: 'the optimized measure, mean over held-out inputs',
  },
  {
    key: 'fanIn',
    label: 'fan-in',
    higherIsSparser: false,
    description: 'effective fan-in (participation ratio of |J_i·|²)',
  },
]

/** Whether a change from before to after is towards sparser (true), away (false) or none (null). */
export function sparser(key: HeldOutKey, before: number, after: number): boolean | null {
  if (!Number.isFinite(before) || !Number.isFinite(after) || before === after) return null
  const up = after > before
  return HELD_OUT_METRICS.find((m) => m.key === key)!.higherIsSparser ? up : !up
}

/** The bases of the baselines and faithfulness, in the order tables show them. */
export const BASELINE_ORDER = ['neuron', 'random', 'pca', 'jtj', 'lib', 'learned'] as const
export const BASIS_LABELS: Record<string, string> = {
  neuron: 'neuron',
  random: 'random',
  pca: 'PCA',
  jtj: 'JᵀJ eigen',
  lib: 'LIB',
  learned: 'learned',
}

/** Basis names in the tables' order (BASELINE_ORDER; unknown names last). */
export function orderBases(names: Iterable<string>): string[] {
  const seen = new Set(names)
  const known = BASELINE_ORDER.filter((n) => seen.has(n))
  return [...known, ...[...seen].filter((n) => !(BASELINE_ORDER as readonly string[]).includes(n))]
}

/** The bases a baselines entry has, in a fixed order (unknown names last). */
export function baselineNames(s: StoredRunSummary): string[] {
  return orderBases(s.analyses.baselines?.flatMap((b) => Object.keys(b.bases)) ?? [])
}

/** The check every run must pass: same logits (to float error) and the same accuracy. */
export const LOGIT_TOLERANCE = 1e-3

/** Whether a function check passed: the run's own, or LIB's (`analyses.lib`). */
export function functionPreserved(f: {
  maxAbsLogitDiff: number
  accuracyBefore: number
  accuracyAfter: number
}): boolean {
  return f.maxAbsLogitDiff < LOGIT_TOLERANCE && f.accuracyBefore === f.accuracyAfter
}

/** Which config option turns each analysis on, for the empty states. */
export const ANALYSIS_HINTS: Record<string, string> = {
  baselines: 'Baselines run by default; this run had "analyses.baselines": false.',
  generalization:
    'Set "analyses.generalization" in the run config, e.g. {"sizes": [1, 10, 100, 1000], "budgetSeconds": 10}: each free rotation is refit on the first N objective inputs and judged on held-out inputs.',
  faithfulness:
    'Set "analyses.faithfulness": {} (optionally {"points": 16}) to ablate all but the k strongest connections and measure test accuracy against k, per basis.',
  circuit:
    'Set "analyses.circuit": {} (optionally {"edgesPerLayer": 64}) to draw the strongest rotated connections between adjacent spaces.',
  features:
    'Set "analyses.features": {} (optionally {"top": 9}) to store the top-activating test inputs of every direction and the 28×28 input templates of layer 1.',
  restarts:
    'Set "analyses.restarts": {"starts": 4} to rerun each layer from seeded random starts and count the distinct minima.',
  lib: 'The LIB baseline comes with the baselines ("analyses.baselines": true, the default); runs made before it have none.',
  agreement:
    'Basis agreement needs the "pairwise" scheme ("rotation.scheme": "pairwise"): X→Y and Y→Z are optimized independently and the two bases found for Y compared.',
}
