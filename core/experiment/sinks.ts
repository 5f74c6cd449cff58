import type { RunCache } from './baseline-cache.ts'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { RunSummary } from '../api/summary.ts'
import type { MetricRecord, RunArtifact, RunSink } from './run-context.ts'
import type { ProgressEvent } from './progress.ts'
import { runFiles } from './run-files.ts'

/** Where a pipeline's output goes (runPipeline's options). */
export interface PipelineOptions {
  /** A folder to write the run's files into (the CLI's --out); null writes nothing. */
  readonly outDir: string | null
  /** Base directory for relative file paths in the config (the config file's folder). */
  readonly baseDir?: string
  readonly signal?: AbortSignal
  onProgress?(event: ProgressEvent): void
  onMetric?(point: MetricRecord): void
  onArtifact?(artifact: RunArtifact): void
  /** Results earlier runs left for this one (the project's baseline cache). */
  readonly cache?: RunCache
}

/** A sink that also says, once the run is summarized, which files it wrote. */
export interface FinishingSink extends RunSink {
  finish(summary: Omit<RunSummary, 'artifacts'>): RunSummary
}

const NO_FILES: RunSummary['artifacts'] = {
  model: null,
  rotations: null,
  rotatedWeights: null,
  summary: null,
}

/** The options' callbacks as a sink; with `outDir`, the run's files are written at the end. */
export function runSink(options: PipelineOptions): FinishingSink {
  const forward: RunSink = {
    progress: (e) => options.onProgress?.(e),
    metric: (m) => options.onMetric?.(m),
    artifact: (a) => options.onArtifact?.(a),
  }
  if (!options.outDir) return { ...forward, finish: (s) => ({ ...s, artifacts: NO_FILES }) }
  return directorySink(resolve(options.outDir), forward)
}

/**
 * Keeps the artifacts and, when the run finishes, writes its files into `dir` through the
 * one run-file writer (run-files.ts) a project's export uses too.
 */
function directorySink(dir: string, forward: RunSink): FinishingSink {
  const kept: RunArtifact[] = []
  return {
    ...forward,
    artifact(a) {
      kept.push(a)
      forward.artifact(a)
    },
    finish(partial) {
      mkdirSync(dir, { recursive: true })
      let summary: RunSummary | null = null
      const files = runFiles(
        {
          artifacts: kept.map((a, id) => ({ id, kind: a.kind, name: a.name, meta: a.meta })),
          tensor: (id) => kept[id],
        },
        { ...partial, artifacts: NO_FILES },
        { filename: 'summary.json', value: () => summary },
        { scheme: partial.rotation.scheme, measure: JSON.stringify(partial.rotation.measure) },
      )
      const path = (kind: string): string | null => {
        const f = files.find((file) => file.kind === kind)
        return f ? join(dir, f.filename) : null
      }
      const oblique = partial.rotation.transform === 'oblique'
      summary = {
        ...partial,
        artifacts: {
          model: path('model'),
          rotations: oblique ? null : path('rotations'),
          rotatedWeights: oblique ? null : path('rotated-weights'),
          summary: path('run-json'),
          ...(oblique
            ? { transforms: path('rotations'), transformedWeights: path('rotated-weights') }
            : {}),
        },
      }
      for (const f of files) f.write(join(dir, f.filename))
      return summary
    },
  }
}
