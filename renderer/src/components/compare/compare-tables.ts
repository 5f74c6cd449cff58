/**
 * What the Compare view derives from a comparison, as pure functions: tables for export,
 * the metric rows with the best value and the difference to a reference run, and how a
 * pair of bases reads.
 */
import type { CommandResult } from '../../../../core/api/contract.ts'
import { parseKeyMetric } from '../../../../core/api/run-views.ts'
import type { Table } from '../../export/table.ts'
import { relativeText } from '../../format.ts'

/** A run as a column of a per-run table. */
export interface RunColumn {
  readonly id: number
  readonly label: string
}

/** A table with one row per item and one column per run (for CSV/JSON export). */
export function perRunTable<T>(
  name: string,
  first: { key: string; label: string },
  runs: readonly RunColumn[],
  items: readonly T[],
  rowKey: (item: T) => string,
  valueOf: (item: T, runIndex: number) => string | number | null,
): Table {
  return {
    name,
    columns: [first, ...runs.map((r) => ({ key: `run${r.id}`, label: r.label }))],
    rows: items.map((item) => ({
      [first.key]: rowKey(item),
      ...Object.fromEntries(runs.map((r, i) => [`run${r.id}`, valueOf(item, i)])),
    })),
  }
}

/** Metrics where higher is better get the best value marked; the rest are shown plain. */
export function higherIsBetter(key: string): boolean {
  const m = parseKeyMetric(key)
  if (m) return m.when === 'after' && m.metric !== 'objective'
  return key === 'testAccuracy' || key === 'accuracyAfter'
}

export interface MetricRow {
  readonly key: string
  readonly values: readonly (number | null)[]
  /** The best value when higher is better and more than one run has one. */
  readonly best: number | null
  /** Each run against the reference run (null for the reference itself or without one). */
  readonly versus: readonly (string | null)[]
}

/** The results table's rows: values, the best marked, each against the reference run. */
export function metricRows(
  metrics: readonly { key: string; values: readonly (number | null)[] }[],
  referenceIndex: number,
  relative: Parameters<typeof relativeText>[2],
): MetricRow[] {
  return metrics.map((m) => {
    const finite = m.values.filter((v): v is number => v !== null && Number.isFinite(v))
    const best = higherIsBetter(m.key) && finite.length > 1 ? Math.max(...finite) : null
    const ref = referenceIndex >= 0 ? m.values[referenceIndex] : null
    const versus = m.values.map((v, i) =>
      i === referenceIndex ? null : relativeText(v, ref, relative),
    )
    return { key: m.key, values: m.values, best, versus }
  })
}

/** One hidden space's basis similarity among the runs, as the backend reports it. */
export type BasesEntry = CommandResult<'runs.compare'>['bases'][number]

/** A run's agreement with the neuron basis in a space (the reference column), if it has a basis there. */
export const identityOf = (s: BasesEntry, runId: number): number | null =>
  s.runs.find((r) => r.runId === runId)?.identity.meanAbsCos ?? null

/** Every pair of runs in every space, for export. */
export function basesTable(bases: readonly BasesEntry[]): Table {
  return {
    name: 'basis-similarity',
    columns: [
      { key: 'space', label: 'space' },
      { key: 'size', label: 'dims' },
      { key: 'a', label: 'run A' },
      { key: 'b', label: 'run B' },
      { key: 'meanAbsCos', label: 'mean |cos| of matched directions' },
      { key: 'chance', label: 'random rotations' },
      { key: 'permutationDistance', label: 'distance to a signed permutation' },
      { key: 'identityA', label: 'run A vs neuron basis (mean |cos|)' },
      { key: 'identityB', label: 'run B vs neuron basis (mean |cos|)' },
    ],
    rows: bases.flatMap((s) =>
      s.pairs.map((p) => ({
        space: s.space,
        size: s.size,
        a: p.a,
        b: p.b,
        meanAbsCos: p.meanAbsCos,
        chance: s.chance,
        permutationDistance: p.permutationDistance,
        identityA: identityOf(s, p.a),
        identityB: identityOf(s, p.b),
      })),
    ),
  }
}

/** Above this, two bases (or a basis and the neurons) count as the same. */
const SAME = 0.95

/** How a pair's similarity reads, with the neurons as the reference that makes it mean something. */
export function basisVerdict(
  s: BasesEntry,
  pair: { a: number; b: number; meanAbsCos: number },
): { text: string; tone: string } {
  const bothNeurons = (identityOf(s, pair.a) ?? 0) > SAME && (identityOf(s, pair.b) ?? 0) > SAME
  if (pair.meanAbsCos > SAME && bothNeurons) return { text: 'both ≈ neuron basis', tone: 'warn' }
  if (pair.meanAbsCos > SAME) return { text: 'same basis', tone: 'ok' }
  if (pair.meanAbsCos < s.chance + 0.05) return { text: 'no better than random', tone: 'bad' }
  return { text: 'partly shared', tone: '' }
}
