import type { MalformedCase } from '../corpus.ts'
import { QUICK, at, cli, json, runCli, table, write } from '../inputs-helpers.ts'

/**
 * Command-line flags (issue 13: trust-inputs): values that are not numbers or out of range,
 * unknown names, unknown flags, missing values, flags that exclude each other, and the other
 * commands' flags. Each goes through the real CLI `main` in-process; a `run` case uses the
 * quick config so a wrongly accepted flag would be seen (a run started, files written).
 */

/** `basiscope run quick.json <flags>`, refused naming `mentions`. */
function runFlags(id: string, flags: readonly string[], ...mentions: string[]): MalformedCase {
  return {
    id: `flags/${id}`,
    setup: (ctx) => void write(ctx, 'quick.json', json(QUICK)),
    run: (ctx) => runCli(ctx, [at(ctx, 'quick.json'), ...flags]),
    mentions,
  }
}

/** Any other command line, refused naming `mentions`. */
function command(id: string, argv: readonly string[], ...mentions: string[]): MalformedCase {
  return { id: `flags/${id}`, run: () => cli(argv), mentions }
}

const numbers = table(
  [
    ['epochs-word', ['--epochs', 'x'], '--epochs'],
    ['epochs-fraction', ['--epochs', '1.5'], '--epochs'],
    ['epochs-zero', ['--epochs', '0'], 'model.epochs'],
    // parseArgs: a value starting with a dash is taken for a flag; it says to write --epochs=-1.
    ['epochs-negative', ['--epochs', '-1'], '--epochs=-'],
    ['epochs-negative-inline', ['--epochs=-1'], 'model.epochs'],
    ['epochs-empty', ['--epochs', ''], '--epochs'],
    ['samples-negative', ['--samples', '-1'], '--samples=-'],
    ['samples-negative-inline', ['--samples=-1'], 'rotation.samples'],
    ['samples-zero', ['--samples', '0'], 'rotation.samples'],
    ['samples-word', ['--samples', 'abc'], '--samples'],
    ['samples-over-train', ['--samples', '201'], 'rotation.samples'],
    ['samples-hex', ['--samples', '0x10z'], '--samples'],
    ['seeds-zero', ['--seeds', '0'], 'seeds'],
    ['seeds-101', ['--seeds', '101'], 'seeds'],
    ['seeds-fraction', ['--seeds', '1.5'], '--seeds'],
    ['seed-negative', ['--seed', '-1'], 'seed'],
    ['seed-word', ['--seed', 'one'], '--seed'],
    ['seed-infinity', ['--seed', 'Infinity'], '--seed'],
    ['budget-zero', ['--budget', '0'], 'rotation.budgetSeconds'],
    ['budget-word', ['--budget', 'long'], '--budget'],
    ['budget-negative', ['--budget=-5'], 'rotation.budgetSeconds'],
    ['steps-negative', ['--steps=-1'], 'rotation.maxSteps'],
    ['steps-word', ['--steps', 'many'], '--steps'],
  ] as const,
  ([id, flags, mention]) => runFlags(id, flags, mention),
)

const names = table(
  [
    ['optimizer-unknown', ['--optimizer', 'sgd'], 'rotation.optimizer.name'],
    ['measure-unknown', ['--measure', 'l0'], 'rotation.measure.name'],
    ['scheme-unknown', ['--scheme', 'sideways'], 'rotation.scheme'],
    ['transform-unknown', ['--transform', 'affine'], 'rotation.transform'],
    ['backend-unknown', ['--backend', 'gpu'], 'backend'],
    ['preset-unknown', ['--preset', 'nope'], '--preset'],
    ['oblique-without-hoyer', ['--transform', 'oblique'], 'rotation.measure'],
    ['irls-with-l1', ['--optimizer', 'irls-lp', '--measure', 'l1'], 'rotation.optimizer.name'],
  ] as const,
  ([id, flags, mention]) => runFlags(id, flags, mention),
)

const shapes = table(
  [
    ['unknown-flag', ['--foo', '1'], '--foo'],
    ['flag-typo', ['--epoch', '3'], '--epoch'],
    ['unknown-short-flag', ['-x'], '-x'],
    ['missing-value-at-end', ['--epochs'], '--epochs'],
    ['boolean-flag-with-value', ['--json=yes'], '--json'],
    ['epochs-with-model', ['--model', 'm.safetensors', '--epochs', '2'], '--epochs'],
    ['two-config-files', ['other.json'], 'at most one config file'],
  ] as const,
  ([id, flags, mention]) => runFlags(id, flags, mention),
)

const others: MalformedCase[] = [
  {
    id: 'flags/out-with-project',
    setup: (ctx) => void write(ctx, 'quick.json', json(QUICK)),
    run: (ctx) =>
      cli([
        'run',
        at(ctx, 'quick.json'),
        '--project',
        at(ctx, 'p.basiscope'),
        '--out',
        at(ctx, 'o'),
      ]),
    mentions: ['--out', '--project'],
  },
  command('unknown-command', ['rn'], 'unknown command "rn"'),
  command('eval-without-model', ['eval'], '--model'),
  command('eval-unknown-flag', ['eval', '--modle', 'm.safetensors'], '--modle'),
  command('toy-features-zero', ['toy', '--features', '0'], '--features'),
  command('toy-hidden-513', ['toy', '--hidden', '513'], '--hidden'),
  command('toy-probability-zero', ['toy', '--probability', '0'], '--probability'),
  command('toy-probability-two', ['toy', '--probability', '2'], '--probability'),
  command('toy-decay-word', ['toy', '--decay', 'fast'], '--decay'),
  command('toy-seed-fraction', ['toy', '--seed', '0.5'], '--seed'),
  command('projects-unknown-subcommand', ['projects', 'explode'], 'projects: expected'),
]

export const cases: MalformedCase[] = [...numbers, ...names, ...shapes, ...others]
