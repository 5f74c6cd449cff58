/** What a running pipeline reports; the CLI prints it, the job runner forwards it. */
/**
 * In order: data, train, evaluate (neuron basis), rotate, verify (learned bases, function),
 * analyses, save.
 */
export type Phase = 'data' | 'train' | 'evaluate' | 'rotate' | 'verify' | 'analyses' | 'save'

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

/** Share of the whole run each phase takes, for one overall progress fraction. */
const WEIGHTS: Record<Phase, [number, number]> = {
  data: [0, 0.02],
  train: [0.02, 0.3],
  evaluate: [0.3, 0.35],
  rotate: [0.35, 0.85],
  verify: [0.85, 0.9],
  analyses: [0.9, 0.98],
  save: [0.98, 1],
}

export function overallFraction(phase: Phase, phaseFraction: number): number {
  const [a, b] = WEIGHTS[phase]
  return a + (b - a) * Math.min(1, Math.max(0, phaseFraction))
}

/** Emits progress with a run-wide ETA, at most every `intervalMs` unless forced. */
export function progressReporter(
  emit: ((e: ProgressEvent) => void) | undefined,
  intervalMs = 200,
): (
  phase: Phase,
  phaseFraction: number,
  message: string,
  values?: Record<string, number>,
  force?: boolean,
) => void {
  const t0 = performance.now()
  let last = -Infinity
  return (phase, phaseFraction, message, values, force = false) => {
    if (!emit) return
    const now = performance.now()
    if (!force && now - last < intervalMs) return
    last = now
    const fraction = overallFraction(phase, phaseFraction)
    const elapsed = (now - t0) / 1000
    const etaSeconds = fraction > 0.05 && elapsed > 1 ? (elapsed / fraction) * (1 - fraction) : null
    emit({ phase, message, fraction, etaSeconds, values })
  }
}
