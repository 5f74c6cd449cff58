import type { RunConfig } from '../api/run-config.ts'
import type { RunSummary } from '../experiment/summary.ts'

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

/** The numbers a runs table shows and compare lines up. */
export function keyMetrics(summary: RunSummary): Record<string, number> {
  const out: Record<string, number> = {
    testAccuracy: summary.model.testAccuracy,
    maxAbsLogitDiff: summary.functionPreservation.maxAbsLogitDiff,
    accuracyAfter: summary.functionPreservation.accuracyAfter,
    orthogonalityError: summary.rotation.orthogonalityError,
    seconds: summary.seconds,
  }
  for (const l of summary.rotation.layers) {
    out[`layer${l.layer}.nearZero.before`] = l.heldOut.before.nearZero
    out[`layer${l.layer}.nearZero.after`] = l.heldOut.after.nearZero
    out[`layer${l.layer}.hoyer.after`] = l.heldOut.after.hoyerSparsity
    out[`layer${l.layer}.objective.end`] = l.objectiveEnd
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
