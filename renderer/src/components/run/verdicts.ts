import {
  type MetricAggregate,
  aggregateMetrics,
  differsBeyondNoise,
} from '../../../../core/api/run-views.ts'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import { BASIS_LABELS, baselineNames } from './run-data.ts'
import { faithfulnessTolerances } from './run-tables.ts'

/**
 * The run's verdict per layer: where the learned basis ranks among every basis the run
 * measured (neuron, random, PCA, JᵀJ, LIB and itself) on held-out nearZero and, with the
 * faithfulness analysis, on the fewest connections that keep accuracy — and the best of the
 * simple bases, so a learned basis that loses says so up front.
 */
export interface Ranking {
  /** 1 = best; ties share a rank (1, 1, 3). */
  readonly rank: number
  /** How many bases were ranked, the learned one included. */
  readonly of: number
  readonly learned: number | null
  /** The best simple basis (never the learned one) and its value. */
  readonly best: { readonly basis: string; readonly value: number | null }
}

export interface LayerVerdict {
  readonly layer: number
  readonly nearZero: Ranking | null
  /** Fewest connections within `tolerance` of full accuracy (null: the basis never got there). */
  readonly fewest: (Ranking & { readonly tolerance: string }) | null
  /** Whether LIB is among the ranked bases (its nearZero needs the caveat). */
  readonly hasLib: boolean
}

type Values = Readonly<Record<string, number | null | undefined>>

/** Whether a is better than b (a missing value, "never", is worse than any). */
function better(a: number | null | undefined, b: number | null | undefined, higher: boolean) {
  return a != null && (b == null || (higher ? a > b : a < b))
}

/** The basis with the best value, the first of equals; null when none has a value. */
export function bestBasis(values: Values, higherIsBetter: boolean): string | null {
  const names = Object.keys(values).filter((n) => values[n] != null)
  return names.length
    ? names.reduce((a, b) => (better(values[b], values[a], higherIsBetter) ? b : a))
    : null
}

/**
 * Ranks the learned basis among `values` (basis → value, null = never reached, ranked last).
 * null when the learned basis or every simple one is missing.
 */
export function rankLearned(values: Values, higherIsBetter: boolean): Ranking | null {
  if (!('learned' in values)) return null
  const learned = values.learned ?? null
  const names = Object.keys(values)
  const simple = Object.fromEntries(names.filter((n) => n !== 'learned').map((n) => [n, values[n]]))
  if (!Object.keys(simple).length) return null
  const best = bestBasis(simple, higherIsBetter) ?? Object.keys(simple)[0]
  return {
    rank: 1 + names.filter((n) => better(values[n], learned, higherIsBetter)).length,
    of: names.length,
    learned,
    best: { basis: best, value: values[best] ?? null },
  }
}

export function layerVerdicts(s: StoredRunSummary): LayerVerdict[] {
  const names = baselineNames(s)
  const baselines = new Map((s.analyses.baselines ?? []).map((b) => [b.layer, b.bases]))
  const faithfulness = new Map((s.analyses.faithfulness ?? []).map((f) => [f.layer, f.bases]))
  const layers = [...new Set([...baselines.keys(), ...faithfulness.keys()])].sort((a, b) => a - b)
  return layers.map((layer) => {
    const bases = baselines.get(layer)
    const nearZero = bases
      ? rankLearned(
          Object.fromEntries(names.filter((n) => bases[n]).map((n) => [n, bases[n].nearZero])),
          true,
        )
      : null
    const f = faithfulness.get(layer)
    // The loosest tolerance (0.01 rather than 0.001): the one most bases reach.
    const tolerance = f ? (faithfulnessTolerances([{ bases: f }]).at(-1) ?? null) : null
    const fewestRanking =
      f && tolerance !== null
        ? rankLearned(
            Object.fromEntries(Object.entries(f).map(([n, b]) => [n, b.fewest[tolerance] ?? null])),
            false,
          )
        : null
    return {
      layer,
      nearZero,
      fewest: fewestRanking && tolerance !== null ? { ...fewestRanking, tolerance } : null,
      hasLib: !!bases?.lib || !!f?.lib,
    }
  })
}

/** "1st", "2nd", "3rd", "4th" … */
export function ordinal(n: number): string {
  const tens = n % 100
  if (tens >= 11 && tens <= 13) return `${n}th`
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`
}

export function basisLabel(basis: string): string {
  return BASIS_LABELS[basis] ?? basis
}

/** One measure compared over a seed group: the learned basis against the best simple one. */
export interface GroupComparison {
  readonly learned: MetricAggregate
  /** The simple basis with the best mean, and its aggregate. */
  readonly best: { readonly basis: string; readonly value: MetricAggregate }
  /** Whether the learned basis is better on average. */
  readonly learnedBetter: boolean
  /** Whether the two means differ beyond the seeds' noise (null: too few runs to tell). */
  readonly beyondNoise: boolean | null
}

export interface GroupVerdict {
  readonly layer: number
  readonly nearZero: GroupComparison | null
  readonly fewest: (GroupComparison & { readonly tolerance: string }) | null
}

/** Per basis, one value of each run (null or absent: the run has none). */
type PerRun = readonly Values[]

function compareOverRuns(perRun: PerRun, higherIsBetter: boolean): GroupComparison | null {
  const agg = aggregateMetrics(
    perRun.map((v) =>
      Object.fromEntries(
        Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number'),
      ),
    ),
  )
  const learned = agg.learned
  const simple = Object.keys(agg).filter((n) => n !== 'learned' && agg[n].n > 0)
  if (!learned?.n || !simple.length) return null
  const best = simple.reduce((a, b) => (better(agg[b].mean, agg[a].mean, higherIsBetter) ? b : a))
  return {
    learned,
    best: { basis: best, value: agg[best] },
    learnedBetter: better(learned.mean, agg[best].mean, higherIsBetter),
    beyondNoise: differsBeyondNoise(learned, agg[best]),
  }
}

/**
 * The verdict of a seed group (runs of one config over several model seeds), per layer: the
 * learned basis's mean ± sd against the simple basis with the best mean, on near-zero and on
 * fewest connections, and whether the difference is beyond the seeds' noise.
 */
export function groupVerdicts(summaries: readonly StoredRunSummary[]): GroupVerdict[] {
  const layers = [...new Set(summaries.flatMap((s) => layerVerdicts(s).map((v) => v.layer)))]
  return layers
    .sort((a, b) => a - b)
    .map((layer) => {
      const nearZero = summaries.map((s) => {
        const bases = s.analyses.baselines?.find((b) => b.layer === layer)?.bases ?? {}
        return Object.fromEntries(Object.entries(bases).map(([n, m]) => [n, m.nearZero]))
      })
      const faithful = summaries.map(
        (s) => s.analyses.faithfulness?.find((f) => f.layer === layer)?.bases ?? {},
      )
      const tolerance = faithfulnessTolerances(faithful.map((bases) => ({ bases }))).at(-1)
      const fewest =
        tolerance === undefined
          ? null
          : compareOverRuns(
              faithful.map((bases) =>
                Object.fromEntries(
                  Object.entries(bases).map(([n, b]) => [n, b.fewest[tolerance] ?? null]),
                ),
              ),
              false,
            )
      return {
        layer,
        nearZero: compareOverRuns(nearZero, true),
        fewest: fewest && tolerance !== undefined ? { ...fewest, tolerance } : null,
      }
    })
    .filter((v) => v.nearZero || v.fewest)
}
