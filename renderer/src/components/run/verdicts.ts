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
