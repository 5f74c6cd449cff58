/**
 * What tables and comparisons show of runs, derived from configs and summaries: pure
 * functions the service and the renderer share.
 */
import type { RunConfig } from './run-config.ts'
import type { StoredRunSummary } from './summary.ts'

/** The config fields a runs table shows. */
export function configSummary(config: RunConfig): Record<string, unknown> {
  return {
    model:
      config.model.source === 'train'
        ? `train ${config.model.hidden.join('-')} ${config.model.activation}`
        : `file ${config.model.file}`,
    scheme: config.rotation.scheme,
    measure: config.rotation.measure.name,
    optimizer: config.rotation.optimizer.name,
    init: config.rotation.init,
    samples: config.rotation.samples,
    budgetSeconds: config.rotation.budgetSeconds,
    seed: config.seed,
  }
}

/** The held-out metrics a layer's key metrics name, and the two sets of bases. */
export const KEY_LAYER_METRICS = ['nearZero', 'hoyer'] as const
export type KeyLayerMetric = (typeof KEY_LAYER_METRICS)[number] | 'objective'
export type KeyMetricWhen = 'before' | 'after' | 'end'

/** A layer's key metric by name: `layer{k}.{metric}.{when}` (e.g. layer2.nearZero.after). */
export function keyMetricName(layer: number, metric: KeyLayerMetric, when: KeyMetricWhen): string {
  return `layer${layer}.${metric}.${when}`
}

/** The parts of a layer's key-metric name, or null for a run-wide one (testAccuracy, …). */
export function parseKeyMetric(
  name: string,
): { layer: number; metric: KeyLayerMetric; when: KeyMetricWhen } | null {
  const m = /^layer(\d+)\.(nearZero|hoyer|objective)\.(before|after|end)$/.exec(name)
  return m
    ? { layer: Number(m[1]), metric: m[2] as KeyLayerMetric, when: m[3] as KeyMetricWhen }
    : null
}

/** The numbers a runs table shows and compare lines up. */
export function keyMetrics(summary: StoredRunSummary): Record<string, number> {
  const out: Record<string, number> = {
    testAccuracy: summary.model.testAccuracy,
    maxAbsLogitDiff: summary.functionPreservation.maxAbsLogitDiff,
    accuracyAfter: summary.functionPreservation.accuracyAfter,
    orthogonalityError: summary.rotation.orthogonalityError,
    seconds: summary.seconds,
  }
  for (const l of summary.rotation.layers) {
    out[keyMetricName(l.layer, 'nearZero', 'before')] = l.heldOut.before.nearZero
    out[keyMetricName(l.layer, 'nearZero', 'after')] = l.heldOut.after.nearZero
    out[keyMetricName(l.layer, 'hoyer', 'before')] = l.heldOut.before.hoyerSparsity
    out[keyMetricName(l.layer, 'hoyer', 'after')] = l.heldOut.after.hoyerSparsity
    out[keyMetricName(l.layer, 'objective', 'end')] = l.objectiveEnd
  }
  return out
}

/** Flattens a JSON value to dotted paths → leaf values (arrays are leaves). */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else if (prefix) out[prefix] = value
  return out
}

/** Every config field of the runs, one value per run (missing → null), and whether they differ. */
export function configTable(
  configs: readonly unknown[],
): { path: string; values: unknown[]; differs: boolean }[] {
  const flat = configs.map((c) => flatten(c))
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort()
  return paths.map((path) => {
    const values = flat.map((f) => (path in f ? f[path] : null))
    return { path, values, differs: new Set(values.map((v) => JSON.stringify(v))).size > 1 }
  })
}

/** Config fields whose values differ between runs, one value per run (undefined → null). */
export function configDiff(configs: readonly unknown[]): { path: string; values: unknown[] }[] {
  return configTable(configs)
    .filter((row) => row.differs)
    .map(({ path, values }) => ({ path, values }))
}

/** Mean, sample standard deviation and count of each key metric over a group of runs. */
export interface MetricAggregate {
  readonly mean: number
  readonly sd: number
  readonly n: number
}

/** Key metrics aggregated over runs (a seed group): every metric any run has. */
export function aggregateMetrics(
  runs: readonly Readonly<Record<string, number>>[],
): Record<string, MetricAggregate> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))].sort()
  const out: Record<string, MetricAggregate> = {}
  for (const key of keys) {
    const values = runs.map((r) => r[key]).filter((v): v is number => Number.isFinite(v))
    const n = values.length
    const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n)
    const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0
    out[key] = { mean, sd, n }
  }
  return out
}

/**
 * Whether two groups' means differ by more than their noise: |Δmean| > 2·√(sd₁²/n₁ + sd₂²/n₂)
 * (about two standard errors of the difference). With one run per group there is no
 * noise estimate and the answer is null.
 */
export function differsBeyondNoise(a: MetricAggregate, b: MetricAggregate): boolean | null {
  if (a.n < 2 || b.n < 2) return null
  const se = Math.sqrt((a.sd * a.sd) / a.n + (b.sd * b.sd) / b.n)
  return Math.abs(a.mean - b.mean) > 2 * se
}
