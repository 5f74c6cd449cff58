import type { RunCache } from './baseline-cache.ts'
import type { ArtifactKind } from '../api/artifacts.ts'
import type { RunConfig } from '../api/run-config.ts'
import { CancelledError } from '../errors.ts'
import { EtaModel, type Phase, type ProgressEvent, progressReporter } from './progress.ts'
import { freeSpaces, planStages } from '../rotation/schemes.ts'

/**
 * What a run emits, and where it goes: the one way out of the pipeline. The job worker
 * forwards everything to the service; the CLI prints progress and, with `--out`, writes the
 * run's files (sinks.ts).
 */
export interface RunSink {
  progress(event: ProgressEvent): void
  /** Every point of every series (training loss per batch, objective per step), unthrottled. */
  metric(point: MetricRecord): void
  /** Tensors worth keeping with the run: bases, mean |J| heatmaps, weights, feature views. */
  artifact(artifact: RunArtifact): void
}

export interface MetricRecord {
  readonly key: string
  readonly step: number
  /** Seconds since the run started. */
  readonly wallTime: number
  readonly value: number
}

export interface RunArtifact {
  /**
   * 'rotation': the learned orthogonal basis R of a space (ã = R·a). 'transform' and
   * 'transform-inverse': an oblique run's T and T⁻¹ (never stored as rotations).
   */
  readonly kind: ArtifactKind
  readonly name: string
  readonly meta: Record<string, unknown>
  readonly shape: readonly number[]
  readonly data: Float32Array
}

/** How a progress event's message marks a warning. */
export const WARNING_PREFIX = 'warning: '

/** Whether a progress event is a warning (RunContext.warn): never throttled away. */
export function isWarning(event: { readonly message: string }): boolean {
  return event.message.startsWith(WARNING_PREFIX)
}

/** One run in progress: its config, its sink, its clock and the cancel signal. */
export class RunContext {
  private readonly t0 = performance.now()
  private readonly phaseSeconds: Partial<Record<Phase, number>> = {}
  readonly report: ReturnType<typeof progressReporter>
  /** What the ETA is estimated from (progress.ts). */
  readonly eta: EtaModel

  constructor(
    readonly config: RunConfig,
    readonly sink: RunSink,
    /** Base directory for relative file paths in the config (the config file's folder). */
    readonly baseDir: string,
    readonly signal?: AbortSignal,
    /** Results earlier runs left for this one (baseline-cache.ts). */
    readonly cache?: RunCache,
  ) {
    // An imported model's depth is known only once read: the ETA assumes two hidden layers.
    const layers = config.model.source === 'train' ? config.model.hidden.length + 1 : 3
    const stages = planStages(config.rotation.scheme, layers, freeSpaces(config, layers))
    this.eta = new EtaModel(config, stages.length)
    this.report = progressReporter((e) => sink.progress(e), this.eta)
  }

  /** Seconds since the run started. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000
  }

  /** What the run accepted but reported; the summary keeps them (`warnings`). */
  readonly warnings: string[] = []

  /**
   * A warning: kept for the summary and sent at once as a progress event whose message
   * starts with "warning: " (the CLI prints it on stderr, a service run streams it).
   */
  warn(phase: Phase, message: string): void {
    this.warnings.push(message)
    this.report(phase, 0, `${WARNING_PREFIX}${message}`, undefined, true)
  }

  metric(key: string, step: number, value: number): void {
    this.sink.metric({ key, step, wallTime: this.elapsed(), value })
  }

  artifact(a: RunArtifact): void {
    this.sink.artifact(a)
  }

  /** Throws CancelledError once the run is cancelled; phases call it between units of work. */
  check(): void {
    if (this.signal?.aborted) throw new CancelledError('run cancelled')
  }

  /** Runs one phase, announcing it and adding its wall time to the run's breakdown. */
  async phase<T>(name: Phase, message: string, body: () => T | Promise<T>): Promise<T> {
    this.check()
    this.report(name, 0, message, undefined, true)
    const t = performance.now()
    try {
      return await body()
    } finally {
      const seconds = (performance.now() - t) / 1000
      this.phaseSeconds[name] = (this.phaseSeconds[name] ?? 0) + seconds
      this.eta.finished(name, seconds)
    }
  }

  /** Seconds per phase so far (the overview's time breakdown). */
  timings(): Readonly<Partial<Record<Phase, number>>> {
    return { ...this.phaseSeconds }
  }
}
