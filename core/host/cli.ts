import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { readJsonFile } from '../data/read-file.ts'
import { BasiscopeError } from '../errors.ts'
import {
  MEASURE_NAMES,
  OPTIMIZER_NAMES,
  backendSchema,
  defaultConfig,
  schemeSchema,
  transformSchema,
} from '../api/run-config.ts'
import { parseRunConfig } from '../experiment/config.ts'
import { runPipeline } from '../experiment/pipeline.ts'
import type { ProgressEvent } from '../experiment/progress.ts'
import type { RunSummary } from '../api/summary.ts'
import { APP_VERSION } from '../version.ts'
import { DEFAULT_TOY, runToy } from '../experiment/toy.ts'
import { evaluateModel, type EvalReport } from './evaluate.ts'
import { projectsCommand, runInProject } from './project-commands.ts'

/** Exit codes: 0 done, 1 failed while running, 2 bad usage/config/input, 130 cancelled. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const

export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  readonly isTTY: boolean
}

const DEFAULTS = defaultConfig()

const USAGE = `basiscope ${APP_VERSION} — learned rotations that make layer Jacobians sparse

Usage:
  basiscope run [config.json] [flags] [--json] [--out DIR]
  basiscope eval --model FILE [--rotations FILE] [--split FILE] [--json]
  basiscope config
  basiscope toy [--features N] [--hidden M] [--probability P] [--decay D] [--seed N] [--json]
  basiscope projects list [DIR]
  basiscope projects show FILE [--json]
  basiscope help

run flags (override the config):
  --model FILE        import weights (.safetensors or tfjs model.json) instead of training
  --split FILE        split file {"train": [...], "test": [...]} of canonical indices
  --epochs N          training epochs            --seed N        run seed
  --optimizer NAME    ${OPTIMIZER_NAMES.join(' | ')}
  --measure NAME      ${MEASURE_NAMES.join(' | ')}
  --transform NAME    ${transformSchema.options.join(' | ')} (oblique: invertible T, unit directions; needs --measure hoyer)
  --scheme NAME       ${schemeSchema.options.join(' | ')}
  --samples N         objective inputs (default ${DEFAULTS.rotation.samples})
  --budget SECONDS    wall-time budget per layer (default ${DEFAULTS.rotation.budgetSeconds})
  --steps N           max optimizer steps per layer
  --backend NAME      ${backendSchema.options.join(' | ')}
  --out DIR           where artifacts go (default runs/<date-time>)
  --project FILE      record the run in a project file (.basiscope; created if missing)
                      instead of writing artifacts to a folder
  --json              print exactly one JSON object, the summary, on stdout
Progress goes to stderr. See docs/run-config.md for the config reference.`

class UsageError extends BasiscopeError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
  }
}

function parseNumberFlag(
  flag: string,
  value: string | undefined,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${flag}: expected ${integer ? 'an integer' : 'a number'}, got "${value}"`,
    )
  }
  return n
}

type Json = Record<string, unknown>
const obj = (v: unknown): Json =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {}

/** Applies the command-line overrides to a raw config document (validated afterwards). */
export function applyOverrides(
  raw: unknown,
  flags: Record<string, string | boolean | undefined>,
): Json {
  const doc: Json = { ...obj(raw) }
  const section = (key: string): Json => (doc[key] = { ...obj(doc[key]) }) as Json
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

function printRunSummary(io: CliIo, s: RunSummary): void {
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
      s.artifacts.summary ? `artifacts in ${dirname(s.artifacts.summary)}` : '',
      '',
    ].join('\n'),
  )
}

function printEval(io: CliIo, r: EvalReport): void {
  io.stdout(`accuracy ${r.accuracy.toFixed(4)} on ${r.samples} test inputs\n`)
  io.stdout('layer  nearZero  hoyerSparsity  l1            lp            log\n')
  for (const l of r.layers) {
    io.stdout(
      `${String(l.layer).padStart(5)}  ${l.nearZero.toFixed(4)}    ${l.hoyerSparsity.toFixed(4)}         ` +
        `${l.measures.l1.toPrecision(6).padEnd(12)}  ${l.measures.lp.toPrecision(6).padEnd(12)}  ${l.measures.log.toPrecision(6)}\n`,
    )
  }
}

const RUN_STRING_FLAGS = [
  'model',
  'split',
  'epochs',
  'seed',
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

export async function main(
  argv: readonly string[],
  io: CliIo,
  signal?: AbortSignal,
): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE + '\n')
        return command === undefined ? EXIT.usage : EXIT.ok
      case '--version':
        io.stdout(APP_VERSION + '\n')
        return EXIT.ok
      case 'config':
        io.stdout(JSON.stringify(defaultConfig(), null, 2) + '\n')
        return EXIT.ok
      case 'run': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          strict: true,
          options: RUN_OPTIONS,
        })
        if (positionals.length > 1)
          throw new UsageError(`run takes at most one config file, got ${positionals.join(', ')}`)
        const file = positionals[0] ? resolve(positionals[0]) : null
        const raw = file ? readJsonFile(file, 'INVALID_CONFIG') : {}
        const config = parseRunConfig(
          applyOverrides(raw, values),
          file ?? 'the default config with flags',
        )
        if (values.project) {
          if (values.out)
            throw new UsageError(
              '--out and --project exclude each other: a project keeps the artifacts',
            )
          const { run, summary } = await runInProject(
            values.project,
            config,
            progressPrinter(io),
            signal,
          )
          if (values.json) io.stdout(JSON.stringify(summary) + '\n')
          else {
            if (summary) printRunSummary(io, summary)
            io.stderr(`recorded as run ${run.id} in ${resolve(values.project)}\n`)
          }
          return EXIT.ok
        }
        const outDir = resolve((values.out as string | undefined) ?? `runs/${timestamp()}`)
        const summary = await runPipeline(config, {
          outDir,
          baseDir: file ? dirname(file) : process.cwd(),
          signal,
          onProgress: progressPrinter(io),
        })
        if (values.json) io.stdout(JSON.stringify(summary) + '\n')
        else printRunSummary(io, summary)
        return EXIT.ok
      }
      case 'eval': {
        const { values } = parseArgs({
          args: [...rest],
          strict: true,
          options: {
            model: { type: 'string' },
            rotations: { type: 'string' },
            split: { type: 'string' },
            json: { type: 'boolean' },
            backend: { type: 'string' },
          },
        })
        if (!values.model) throw new UsageError('eval: --model FILE is required')
        const report = await evaluateModel({
          model: resolve(values.model),
          rotations: values.rotations ? resolve(values.rotations) : null,
          split: values.split ? resolve(values.split) : null,
          backend: values.backend,
        })
        if (values.json) io.stdout(JSON.stringify(report) + '\n')
        else printEval(io, report)
        return EXIT.ok
      }
      case 'toy': {
        const { values } = parseArgs({
          args: [...rest],
          strict: true,
          options: {
            features: { type: 'string' },
            hidden: { type: 'string' },
            probability: { type: 'string' },
            decay: { type: 'string' },
            seed: { type: 'string' },
            json: { type: 'boolean' },
          },
        })
        const options = {
          ...DEFAULT_TOY,
          features: parseNumberFlag('features', values.features, true) ?? DEFAULT_TOY.features,
          hidden: parseNumberFlag('hidden', values.hidden, true) ?? DEFAULT_TOY.hidden,
          probability:
            parseNumberFlag('probability', values.probability, false) ?? DEFAULT_TOY.probability,
          importanceDecay:
            parseNumberFlag('decay', values.decay, false) ?? DEFAULT_TOY.importanceDecay,
          seed: parseNumberFlag('seed', values.seed, true) ?? DEFAULT_TOY.seed,
        }
        if (
          options.features < 1 ||
          options.hidden < 1 ||
          options.features > 512 ||
          options.hidden > 512
        ) {
          throw new UsageError('--features and --hidden: expected integers from 1 to 512')
        }
        if (!(options.probability > 0 && options.probability <= 1)) {
          throw new UsageError('--probability: expected a number in (0, 1]')
        }
        const toy = await runToy(options)
        if (values.json) io.stdout(JSON.stringify(toy) + '\n')
        else {
          const r = toy.recovery
          io.stdout(
            `toy model: ${options.features} features in ${options.hidden} dimensions, p = ${options.probability}; ` +
              `${toy.model.represented} features represented\n` +
              `feature recovery (mean max |cos|, features recovered > 0.95):\n` +
              (['learned', 'neuron', 'random', 'ideal'] as const)
                .map((k) => `  ${k.padEnd(8)} ${r[k].meanMaxCos.toFixed(4)}  ${r[k].recovered}`)
                .join('\n') +
              '\n',
          )
        }
        return EXIT.ok
      }
      case 'projects':
        await projectsCommand(rest, io)
        return EXIT.ok
      default:
        throw new UsageError(`unknown command "${command}"; try: basiscope help`)
    }
  } catch (e) {
    const err = e as Error & { code?: string }
    if (err instanceof BasiscopeError) {
      io.stderr(`\nbasiscope: ${err.message}\n`)
      if (err.code === 'CANCELLED') return EXIT.cancelled
      return err.code === 'INTERNAL' ? EXIT.failed : EXIT.usage
    }
    if (err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`basiscope: ${err.message}\n${USAGE}\n`)
      return EXIT.usage
    }
    io.stderr(`\nbasiscope: failed: ${err.stack ?? err.message}\n`)
    return EXIT.failed
  }
}
