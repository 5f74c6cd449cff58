import type { RunConfig } from '../api/run-config.ts'

/** What a running pipeline reports; the CLI prints it, the job runner forwards it. */
/**
 * In order: data, train, evaluate (neuron basis), rotate, verify (learned bases, function),
 * analyses, save.
 */
export type Phase = 'data' | 'train' | 'evaluate' | 'rotate' | 'verify' | 'analyses' | 'save'

export const PHASES: readonly Phase[] = [
  'data',
  'train',
  'evaluate',
  'rotate',
  'verify',
  'analyses',
  'save',
]

export interface ProgressEvent {
  readonly phase: Phase
  readonly message: string
  /** 0..1 over the whole run. */
  readonly fraction: number
  /** Seconds left, estimated from the run so far; null until there is a basis for it. */
  readonly etaSeconds: number | null
  /** Live numbers of the current phase (loss, accuracy, objective, step, layer …). */
  readonly values?: Readonly<Record<string, number>>
}

/**
 * The ETA model (issue 12, "honest progress"): the seconds each phase is expected to take,
 * from the config at the start and from the run itself as it goes. The rotation phase is its
 * stages' wall-time budgets; training is paced by its own batches; held-out evaluation is
 * measured once (the neuron basis) and reused for the learned bases and, times the number of
 * bases they evaluate, for the analyses. A finished phase counts what it really took.
 */
export class EtaModel {
  private readonly expected: Record<Phase, number>
  private readonly took: Partial<Record<Phase, number>> = {}

  constructor(config: RunConfig, stages: number) {
    const a = config.analyses
    this.expected = {
      data: 0.5,
      // A guess until the first batches say better (trainingPace).
      train: config.model.source === 'train' ? config.model.epochs * 0.2 : 0.2,
      evaluate: 2,
      rotate: stages * config.rotation.budgetSeconds,
      verify: 2,
      analyses: 0,
      save: 0.2,
    }
    this.analysesPlan = {
      evaluations:
        (a.baselines ? 5 : 0) + (a.faithfulness ? 6 : 0) + (a.generalization?.sizes.length ?? 0),
      seconds:
        (a.generalization ? a.generalization.sizes.length * a.generalization.budgetSeconds : 0) +
        (a.restarts ? a.restarts.starts * a.restarts.budgetSeconds : 0) +
        (a.control ? stages * (a.control.budgetSeconds ?? config.rotation.budgetSeconds) : 0),
    }
    this.expected.analyses = this.analysesPlan.seconds + this.analysesPlan.evaluations
  }

  private readonly analysesPlan: { evaluations: number; seconds: number }

  /** Training's pace: `fraction` of it done after `seconds`. */
  trainingPace(fraction: number, seconds: number): void {
    if (fraction > 0.02) this.expected.train = seconds / fraction
  }

  /** A phase ended after `seconds`: held-out evaluation's cost sets the later ones'. */
  finished(phase: Phase, seconds: number): void {
    this.took[phase] = (this.took[phase] ?? 0) + seconds
    if (phase === 'evaluate') {
      this.expected.verify = seconds
      this.expected.analyses = this.analysesPlan.seconds + this.analysesPlan.evaluations * seconds
    }
  }

  /** The overall fraction and the seconds left, `phaseFraction` into `phase`. */
  estimate(phase: Phase, phaseFraction: number): { fraction: number; remaining: number } {
    const f = Math.min(1, Math.max(0, phaseFraction))
    let done = 0
    let left = 0
    let total = 0
    const at = PHASES.indexOf(phase)
    PHASES.forEach((p, i) => {
      const seconds = i < at ? (this.took[p] ?? this.expected[p]) : this.expected[p]
      total += seconds
      if (i < at) done += seconds
      else if (i === at) {
        done += f * seconds
        left += (1 - f) * seconds
      } else left += seconds
    })
    return { fraction: total > 0 ? done / total : 0, remaining: left }
  }
}

/** Emits progress with the ETA model's fraction and time left, at most every `intervalMs` unless forced. */
export function progressReporter(
  emit: ((e: ProgressEvent) => void) | undefined,
  eta: EtaModel,
  intervalMs = 200,
): (
  phase: Phase,
  phaseFraction: number,
  message: string,
  values?: Record<string, number>,
  force?: boolean,
) => void {
  let last = -Infinity
  let highest = 0
  return (phase, phaseFraction, message, values, force = false) => {
    if (!emit) return
    const now = performance.now()
    if (!force && now - last < intervalMs) return
    last = now
    const { fraction, remaining } = eta.estimate(phase, phaseFraction)
    // A model that learns can lower its estimate of the work done: never report going back.
    highest = Math.max(highest, fraction)
    const end = phase === 'save' && phaseFraction >= 1
    emit({
      phase,
      message,
      fraction: end ? 1 : highest,
      etaSeconds: end ? 0 : Math.max(0, remaining),
      values,
    })
  }
}
