import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { BasiscopeError } from '../errors.ts'
import { MEASURE_NAMES } from '../api/config/measure.ts'
import { OPTIMIZER_NAMES } from '../api/config/optimizer.ts'
import { backendSchema, schemeSchema, transformSchema } from '../api/config/sections.ts'
import { defaultConfig } from '../api/run-config.ts'
import { DEFAULT_PRESETS_DIR, readPresets } from '../service/presets.ts'
import { APP_VERSION } from '../version.ts'
import { DEFAULT_TOY, runToy } from '../experiment/toy.ts'
import { type EvalReport, evaluateModel } from '../experiment/evaluate-model.ts'
import { type CliIo, EXIT, UsageError, parseNumberFlag } from './cli-args.ts'
import { projectsCommand } from './project-commands.ts'
import { runCommand } from './run-command.ts'

export { EXIT, type CliIo } from './cli-args.ts'

const DEFAULTS = defaultConfig()
const PRESET_IDS = readPresets(DEFAULT_PRESETS_DIR)
  .map((p) => p.id)
  .join(', ')

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
  --preset ID         start from a preset (resources/presets: ${PRESET_IDS}); the file and flags override it
  --seeds N           run over N model seeds (seed, seed+1, …) and print their mean ± sd
  --out DIR           where artifacts go (default runs/<date-time>)
  --project FILE      record the run in a project file (.basiscope; created if missing)
                      instead of writing artifacts to a folder
  --json              print exactly one JSON object, the summary, on stdout
Progress goes to stderr. See docs/run-config.md for the config reference.`

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
      case 'run':
        return await runCommand(rest, io, signal)
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
          warn: (message) => io.stderr(`basiscope: warning: ${message}\n`),
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
      return err.code === 'INTERNAL' || err.code === 'RUN_FAILED' ? EXIT.failed : EXIT.usage
    }
    if (err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`basiscope: ${err.message}\n${USAGE}\n`)
      return EXIT.usage
    }
    io.stderr(`\nbasiscope: failed: ${err.stack ?? err.message}\n`)
    return EXIT.failed
  }
}
