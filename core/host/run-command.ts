import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { seedConfigs } from '../api/run-config.ts'
import { aggregateMetrics, keyMetrics } from '../api/run-views.ts'
import type { StoredRunSummary } from '../api/summary.ts'
import { describeJson, isPlainObject } from '../data/checks.ts'
import { readJsonObject } from '../data/read-file.ts'
import { BasiscopeError } from '../errors.ts'
import { parseRunConfig } from '../experiment/config.ts'
import { runPipeline } from '../experiment/pipeline.ts'
import type { ProgressEvent } from '../experiment/progress.ts'
import { isWarning } from '../experiment/run-context.ts'
import { DEFAULT_PRESETS_DIR, readPresets } from '../service/presets.ts'
import { type CliIo, EXIT, UsageError, parseNumberFlag } from './cli-args.ts'
import { runInProject } from './project-commands.ts'

/**
 * `basiscope run [config.json] [flags]`: the pipeline headless. The config is built from
 * a preset (--preset), the config file over it, and the flags over both; validated once.
 * --seeds N runs it over N model seeds (a group of runs in a project) and prints their
 * mean ± sd.
 */
export async function runCommand(
  args: readonly string[],
  io: CliIo,
  signal?: AbortSignal,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: RUN_OPTIONS,
  })
  if (positionals.length > 1)
    throw new UsageError(`run takes at most one config file, got ${positionals.join(', ')}`)
  const file = positionals[0] ? resolve(positionals[0]) : null
  const preset = values.preset ? presetConfig(values.preset) : {}
  const raw = mergeDocs(preset, file ? readJsonObject(file, 'INVALID_CONFIG', 'a run config') : {})
  const config = parseRunConfig(
    applyOverrides(raw, values),
    file ??
      (values.preset ? `preset "${values.preset}" with flags` : 'the default config with flags'),
  )
  let summaries: StoredRunSummary[]
  if (values.project) {
    if (values.out)
      throw new UsageError('--out and --project exclude each other: a project keeps the artifacts')
    const recorded = await runInProject(values.project, config, progressPrinter(io), signal)
    summaries = recorded.flatMap((r) => (r.summary ? [r.summary] : []))
    if (!values.json) {
      const ids = recorded.map((r) => r.run.id).join(', ')
      io.stderr(
        `recorded as run${recorded.length > 1 ? 's' : ''} ${ids} in ${resolve(values.project)}\n`,
      )
    }
  } else {
    const outDir = resolve((values.out as string | undefined) ?? `runs/${timestamp()}`)
    const configs = seedConfigs(config)
    summaries = []
    for (const c of configs) {
      summaries.push(
        await runPipeline(c, {
          // One folder per seed when there are several.
          outDir: configs.length > 1 ? join(outDir, `seed-${c.seed}`) : outDir,
          baseDir: file ? dirname(file) : process.cwd(),
          signal,
          onProgress: progressPrinter(io),
        }),
      )
    }
  }
  if (values.json) io.stdout(JSON.stringify(jsonResult(summaries)) + '\n')
  else {
    for (const s of summaries) printRunSummary(io, s)
    if (summaries.length > 1) printAggregate(io, summaries)
  }
  return EXIT.ok
}

/** One run: its summary. Several seeds: the summaries and the mean ± sd of their key metrics. */
function jsonResult(summaries: readonly StoredRunSummary[]): unknown {
  if (summaries.length === 1) return summaries[0]
  return { seeds: summaries.map((s) => s.config.seed), summaries, aggregate: aggregate(summaries) }
}

function aggregate(summaries: readonly StoredRunSummary[]) {
  return aggregateMetrics(summaries.map((s) => keyMetrics(s)))
}

/** A preset by id (resources/presets/<id>.json), without its display name. */
function presetConfig(id: string): Record<string, unknown> {
  const presets = readPresets(DEFAULT_PRESETS_DIR)
  const found = presets.find((p) => p.id === id)
  if (!found) {
    throw new UsageError(
      `--preset: no preset "${id}"; there are ${presets.map((p) => p.id).join(', ')}`,
    )
  }
  const { name: _name, ...config } = found.config as Record<string, unknown>
  return config
}

/** `over` laid onto `base`, objects merged key by key, everything else replaced. */
function mergeDocs(base: unknown, over: unknown): Json {
  const out: Json = { ...obj(base) }
  for (const [k, v] of Object.entries(obj(over))) {
    const b = out[k]
    out[k] =
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      b &&
      typeof b === 'object' &&
      !Array.isArray(b)
        ? mergeDocs(b, v)
        : v
  }
  return out
}

const RUN_STRING_FLAGS = [
  'model',
  'split',
  'epochs',
  'seed',
  'seeds',
  'preset',
  'optimizer',
  'measure',
  'scheme',
  'transform',
  'samples',
  'budget',
  'steps',
  'backend',
  'out',
  'project',
] as const
const RUN_OPTIONS = {
  ...(Object.fromEntries(RUN_STRING_FLAGS.map((k) => [k, { type: 'string' }])) as Record<
    (typeof RUN_STRING_FLAGS)[number],
    { type: 'string' }
  >),
  json: { type: 'boolean' },
} as const

type Json = Record<string, unknown>
const obj = (v: unknown): Json =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {}

/** Applies the command-line overrides to a raw config document (validated afterwards). */
export function applyOverrides(
  raw: unknown,
  flags: Record<string, string | boolean | undefined>,
): Json {
  const doc: Json = { ...obj(raw) }
  // A flag writes into its section; a section the file set to a non-object is its error,
  // not something a flag may silently replace.
  const section = (key: string): Json => {
    const current = doc[key]
    if (current !== undefined && !isPlainObject(current)) {
      throw new BasiscopeError(
        'INVALID_CONFIG',
        `${key}: expected an object (the ${key} section), found ${describeJson(current)}`,
        key,
      )
    }
    return (doc[key] = { ...current })
  }
  const str = (k: string): string | undefined =>
    typeof flags[k] === 'string' ? (flags[k] as string) : undefined
  if (str('model')) doc.model = { source: 'file', file: resolve(str('model')!) }
  if (str('split')) {
    const data = section('data')
    data.source ??= 'mnist-embedded'
    data.split = { kind: 'file', file: resolve(str('split')!) }
  }
  const epochs = parseNumberFlag('epochs', str('epochs'), true)
  if (epochs !== undefined) {
    const model = section('model')
    if (model.source === 'file')
      throw new UsageError(
        '--epochs: the model is imported (--model or model.source "file"), not trained',
      )
    model.source ??= 'train'
    model.epochs = epochs
  }
  const seed = parseNumberFlag('seed', str('seed'), true)
  if (seed !== undefined) doc.seed = seed
  const seeds = parseNumberFlag('seeds', str('seeds'), true)
  if (seeds !== undefined) doc.seeds = seeds
  if (str('backend')) doc.backend = str('backend')
  const rotation = (): Json => section('rotation')
  if (str('optimizer')) rotation().optimizer = { name: str('optimizer') }
  if (str('measure')) rotation().measure = { name: str('measure') }
  if (str('scheme')) rotation().scheme = str('scheme')
  if (str('transform')) rotation().transform = str('transform')
  const samples = parseNumberFlag('samples', str('samples'), true)
  if (samples !== undefined) rotation().samples = samples
  const budget = parseNumberFlag('budget', str('budget'), false)
  if (budget !== undefined) rotation().budgetSeconds = budget
  const steps = parseNumberFlag('steps', str('steps'), true)
  if (steps !== undefined) rotation().maxSteps = steps
  return doc
}

function progressPrinter(io: CliIo): (e: ProgressEvent) => void {
  let lastLine = 0
  return (e) => {
    // A warning is never throttled away nor overwritten by the next progress line.
    if (isWarning(e)) {
      io.stderr(`${io.isTTY ? '\r\x1b[2K' : ''}basiscope: ${e.message}\n`)
      return
    }
    const pct = `${(e.fraction * 100).toFixed(0).padStart(3)}%`
    const eta = e.etaSeconds === null ? '' : `  ETA ${formatSeconds(e.etaSeconds)}`
    const v = e.values
    const extra = v
      ? Object.entries(v)
          .filter(([k]) => ['loss', 'accuracy', 'objective', 'testAccuracy'].includes(k))
          .map(([k, x]) => `${k} ${x.toPrecision(5)}`)
          .join('  ')
      : ''
    const line = `${pct} ${e.phase.padEnd(8)} ${e.message}${extra ? '  ' + extra : ''}${eta}`
    if (io.isTTY) {
      io.stderr(`\r\x1b[2K${line}`)
      if (e.fraction >= 1) io.stderr('\n')
    } else {
      const now = Date.now()
      if (now - lastLine > 2000 || e.fraction >= 1 || e.message.startsWith('model ready')) {
        lastLine = now
        io.stderr(line + '\n')
      }
    }
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*/, '')
}

function printRunSummary(io: CliIo, s: StoredRunSummary): void {
  const f = (x: number, d = 4): string => x.toFixed(d)
  io.stderr(
    [
      '',
      `backend ${s.backend}; model ${s.model.layers.join('-')} ${s.model.activation}; test accuracy ${f(s.model.testAccuracy)}`,
      `scheme ${s.rotation.scheme}; measure ${JSON.stringify(s.rotation.measure)}; optimizer ${s.rotation.transform === 'oblique' ? `oblique-adam (${s.rotation.optimizer.name} settings)` : s.rotation.optimizer.name}`,
      'layer  steps  seconds  objective start → end        held-out nearZero before → after   hoyer before → after',
      ...s.rotation.layers.map(
        (l) =>
          `${String(l.layer).padStart(5)}  ${String(l.steps).padStart(5)}  ${l.seconds.toFixed(1).padStart(7)}  ` +
          `${l.objectiveStart.toPrecision(6).padStart(12)} → ${l.objectiveEnd.toPrecision(6).padEnd(12)}  ` +
          `${f(l.heldOut.before.nearZero)} → ${f(l.heldOut.after.nearZero)}                  ` +
          `${f(l.heldOut.before.hoyerSparsity)} → ${f(l.heldOut.after.hoyerSparsity)}`,
      ),
      `function preservation: max |Δ logit| ${s.functionPreservation.maxAbsLogitDiff.toExponential(2)}, ` +
        `accuracy ${f(s.functionPreservation.accuracyBefore)} → ${f(s.functionPreservation.accuracyAfter)}; ` +
        (s.rotation.oblique
          ? `oblique: max κ(T) ${s.rotation.oblique.condition.toPrecision(3)} (bound ${s.rotation.oblique.maxCondition}), ` +
            `max |T·T⁻¹ − I| ${s.rotation.oblique.inverseError.toExponential(2)}, ` +
            `unit directions to ${s.rotation.oblique.columnNormError.toExponential(2)}`
          : `orthogonality error ${s.rotation.orthogonalityError.toExponential(2)}`),
      s.artifacts?.summary ? `artifacts in ${dirname(s.artifacts.summary)}` : '',
      '',
    ].join('\n'),
  )
}

function printAggregate(io: CliIo, summaries: readonly StoredRunSummary[]): void {
  const agg = aggregate(summaries)
  const seeds = summaries.map((s) => s.config.seed).join(', ')
  io.stderr(
    [
      `over ${summaries.length} seeds (${seeds}): mean ± sd`,
      ...Object.entries(agg).map(
        ([key, a]) => `  ${key.padEnd(28)} ${a.mean.toPrecision(5)} ± ${a.sd.toPrecision(2)}`,
      ),
      '',
    ].join('\n'),
  )
}
