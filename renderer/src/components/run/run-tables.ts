import type { MetricPoint } from '../../../../core/api/records.ts'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import type { Table } from '../../export/table.ts'
import { ratio } from '../../format.ts'
import {
  HELD_OUT_METRICS,
  type HeldOutKey,
  baselineNames,
  orderBases,
  BASIS_LABELS,
} from './run-data.ts'

/**
 * The run view's tables, each one definition for what is shown and what is exported (CSV,
 * JSON): held-out metrics, baselines, optimization stages, the analyses, every metric series.
 */

/** Held-out metrics per layer, neuron basis → learned bases, with ratios. */
export function heldOutTable(s: StoredRunSummary): Table {
  const columns = [
    { key: 'layer', label: 'layer' },
    { key: 'shape', label: 'shape' },
    { key: 'optimized', label: 'optimized' },
  ]
  for (const m of HELD_OUT_METRICS) {
    columns.push(
      { key: `${m.key}.before`, label: `${m.label} before` },
      { key: `${m.key}.after`, label: `${m.label} after` },
      { key: `${m.key}.ratio`, label: `${m.label} after/before` },
    )
  }
  const rows = s.rotation.layers.map((l) => {
    const row: Record<string, string | number | boolean | null> = {
      layer: l.layer,
      shape: `${l.shape[0]}x${l.shape[1]}`,
      optimized: l.optimized,
    }
    for (const m of HELD_OUT_METRICS) {
      row[`${m.key}.before`] = l.heldOut.before[m.key]
      row[`${m.key}.after`] = l.heldOut.after[m.key]
      row[`${m.key}.ratio`] = ratio(l.heldOut.before[m.key], l.heldOut.after[m.key])
    }
    return row
  })
  return { name: 'held-out metrics', columns, rows }
}

/** One held-out metric per layer in every baseline basis and the learned one. */
export function baselinesTable(s: StoredRunSummary, metric: HeldOutKey): Table {
  const names = baselineNames(s)
  return {
    name: `baselines ${metric}`,
    columns: [
      { key: 'layer', label: 'layer' },
      ...names.map((n) => ({ key: n, label: BASIS_LABELS[n] ?? n })),
    ],
    rows: (s.analyses.baselines ?? []).map((b) => ({
      layer: b.layer,
      ...Object.fromEntries(names.map((n) => [n, b.bases[n]?.[metric] ?? null])),
    })),
  }
}

/** Per layer: who optimized it, for how long, why it stopped, objective start → end. */
export function optimizationTable(s: StoredRunSummary): Table {
  return {
    name: 'optimization',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'optimized', label: 'optimized' },
      { key: 'optimizer', label: 'optimizer' },
      { key: 'steps', label: 'steps' },
      { key: 'seconds', label: 'seconds' },
      { key: 'stopReason', label: 'stop reason' },
      { key: 'objectiveStart', label: 'objective start' },
      { key: 'objectiveEnd', label: 'objective end' },
      { key: 'objectiveRatio', label: 'end/start' },
    ],
    rows: s.rotation.layers.map((l) => ({
      layer: l.layer,
      optimized: l.optimized,
      optimizer: l.optimizer,
      steps: l.steps,
      seconds: l.seconds,
      stopReason: l.stopReason,
      objectiveStart: l.objectiveStart,
      objectiveEnd: l.objectiveEnd,
      objectiveRatio: ratio(l.objectiveStart, l.objectiveEnd),
    })),
  }
}

/** The tolerances a faithfulness analysis reports fewest counts for, tightest first. */
export function faithfulnessTolerances(
  f: readonly { bases: Readonly<Record<string, { fewest: Readonly<Record<string, unknown>> }>> }[],
): string[] {
  return [
    ...new Set(f.flatMap((l) => Object.values(l.bases).flatMap((b) => Object.keys(b.fewest)))),
  ].sort((a, b) => Number(a) - Number(b))
}

/**
 * Faithfulness per layer and basis: the fewest connections, and the fewest directions of the
 * layer's input space, that keep accuracy within each tolerance.
 */
export function faithfulnessTable(s: StoredRunSummary): Table {
  const f = s.analyses.faithfulness ?? []
  const tolerances = faithfulnessTolerances(f)
  const withNodes = f.some((l) => Object.values(l.bases).some((b) => b.fewestNodes))
  return {
    name: 'faithfulness',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'basis', label: 'basis' },
      { key: 'connections', label: 'connections' },
      ...tolerances.map((t) => ({ key: `fewest.${t}`, label: `fewest connections within ${t}` })),
      ...(withNodes
        ? [
            { key: 'directions', label: 'directions' },
            ...tolerances.map((t) => ({
              key: `fewestNodes.${t}`,
              label: `fewest directions within ${t}`,
            })),
          ]
        : []),
    ],
    rows: f.flatMap((l) =>
      orderBases(Object.keys(l.bases)).map((basis) => {
        const b = l.bases[basis]
        return {
          layer: l.layer,
          basis,
          connections: b.curve.at(-1)?.k ?? null,
          ...Object.fromEntries(tolerances.map((t) => [`fewest.${t}`, b.fewest[t] ?? null])),
          ...(withNodes
            ? {
                directions: l.nodeSpace === undefined ? null : s.model.layers[l.nodeSpace],
                ...Object.fromEntries(
                  tolerances.map((t) => [`fewestNodes.${t}`, b.fewestNodes?.[t] ?? null]),
                ),
              }
            : {}),
        }
      }),
    ),
  }
}

export function generalizationTable(s: StoredRunSummary): Table {
  return {
    name: 'generalization',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'samples', label: 'objective inputs' },
      { key: 'steps', label: 'steps' },
      { key: 'objective', label: 'objective' },
      { key: 'nearZero', label: 'held-out near-zero' },
      { key: 'hoyerSparsity', label: 'held-out Hoyer' },
      { key: 'measure', label: 'held-out measure' },
    ],
    rows: (s.analyses.generalization ?? []).flatMap((g) =>
      g.points.map((p) => ({
        layer: g.layer,
        samples: p.samples,
        steps: p.steps,
        objective: p.objective,
        nearZero: p.heldOut.nearZero,
        hoyerSparsity: p.heldOut.hoyerSparsity,
        measure: p.heldOut.measure,
      })),
    ),
  }
}

export function agreementTable(s: StoredRunSummary): Table {
  return {
    name: 'basis agreement',
    columns: [
      { key: 'space', label: 'space' },
      { key: 'meanAbsCos', label: 'mean |cos|' },
      { key: 'chance', label: 'chance' },
      { key: 'permutationDistance', label: 'permutation distance' },
    ],
    rows: (s.analyses.agreement ?? []).map((a) => ({ ...a })),
  }
}

export function restartsTable(s: StoredRunSummary): Table {
  return {
    name: 'restarts',
    columns: [
      { key: 'layer', label: 'layer' },
      { key: 'starts', label: 'starts' },
      { key: 'converged', label: 'converged' },
      { key: 'reachedBest', label: 'reached best' },
      { key: 'distinctMinima', label: 'distinct minima' },
      { key: 'best', label: 'best value' },
      { key: 'worst', label: 'worst value' },
    ],
    rows: (s.analyses.restarts ?? []).map((r) => ({
      layer: r.layer,
      starts: r.census.starts,
      converged: r.census.converged,
      reachedBest: r.census.reachedBest,
      distinctMinima: r.census.distinctMinima,
      best: r.census.best.value,
      worst: r.values.length ? Math.max(...r.values) : null,
    })),
  }
}

/**
 * Every metric series of one or more runs (objective and gradient norm per stage, training
 * loss and accuracy per batch), long format: one row per point, for a spreadsheet or pandas.
 */
export function metricSeriesTable(
  runs: readonly {
    id: number
    name: string
    metrics: Readonly<Record<string, readonly MetricPoint[]>>
  }[],
): Table {
  return {
    name: 'series',
    columns: [
      { key: 'run', label: 'run' },
      { key: 'runName', label: 'run name' },
      { key: 'series', label: 'series' },
      { key: 'step', label: 'step' },
      { key: 'wallTime', label: 'seconds since run start' },
      { key: 'value', label: 'value' },
    ],
    rows: runs.flatMap((r) =>
      Object.keys(r.metrics)
        .sort()
        .flatMap((key) =>
          r.metrics[key].map((p) => ({
            run: r.id,
            runName: r.name,
            series: key,
            step: p.step,
            wallTime: p.wallTime,
            value: p.value,
          })),
        ),
    ),
  }
}
