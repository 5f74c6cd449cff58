import {
  type PhaseTimes,
  type StoredRunSummary,
  phaseTimesSchema,
} from '../../../../core/api/summary.ts'

/**
 * A run's phases in the order the pipeline runs them — the summary's `phases` schema is
 * the list — with what each is called on screen: the live progress steps and the overview's
 * time breakdown say the same words.
 */
export type PhaseId = keyof PhaseTimes

export const PHASES = Object.keys(phaseTimesSchema.shape) as PhaseId[]

export const PHASE_LABELS: Readonly<Record<PhaseId, string>> = {
  data: 'data',
  train: 'train',
  evaluate: 'neuron basis',
  rotate: 'rotate',
  verify: 'verify',
  analyses: 'analyses',
  save: 'save',
}

/** What each phase does, for tooltips. */
export const PHASE_DESCRIPTIONS: Readonly<Record<PhaseId, string>> = {
  data: 'reading and splitting the digits',
  train: 'training the model',
  evaluate: 'held-out metrics in the neuron basis',
  rotate: 'optimizing the bases',
  verify: 'held-out metrics in the learned bases, and the function check',
  analyses: 'baselines and the analyses asked for',
  save: 'storing rotations, heatmaps and the summary',
}

export interface PhaseShare {
  readonly phase: PhaseId
  readonly label: string
  readonly seconds: number
  /** Share of the time all recorded phases took, 0..1. */
  readonly share: number
}

/** Where a run's time went, phase by phase; null for runs made before phases were timed. */
export function phaseBreakdown(s: StoredRunSummary): PhaseShare[] | null {
  const times = s.phases
  if (!times) return null
  const recorded = PHASES.flatMap((phase) => {
    const seconds = times[phase]
    return seconds === undefined ? [] : [{ phase, seconds }]
  })
  const total = recorded.reduce((a, p) => a + p.seconds, 0)
  if (!recorded.length || !(total > 0)) return null
  return recorded.map((p) => ({ ...p, label: PHASE_LABELS[p.phase], share: p.seconds / total }))
}
