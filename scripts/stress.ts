import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { failed, formatFigures } from './stress-figures.ts'
import { StressLoop } from './stress-loop.ts'
import { killAllStarted } from './stress-procs.ts'

/**
 * `npm run stress [-- --kills N --seed S --json --out FILE --keep]`: the bounded kill-loop
 * stress test of crash safety (not part of `npm test`). See stress-loop.ts for what a cycle
 * does and stress-check.ts for the checks. Exits 1 if any check failed.
 */
const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'max-minutes': { type: 'string', default: '25' },
    'stale-grace': { type: 'string', default: '15' },
  },
})

function positive(name: string, text: string, integer: boolean): number {
  const n = Number(text)
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    process.stderr.write(
      `stress: --${name} expects a positive ${integer ? 'integer' : 'number'}, got "${text}"\n`,
    )
    process.exit(2)
  }
  return n
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    }).trim()
    return dirty ? `${head}+changes` : head
  } catch {
    return 'unknown'
  }
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-stress-'))
const stop = (): void => {
  killAllStarted()
  process.exit(130)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

const loop = new StressLoop({
  kills: positive('kills', values.kills, true),
  seed: positive('seed', values.seed, true),
  maxMinutes: positive('max-minutes', values['max-minutes'], false),
  staleGraceSeconds: Number(values['stale-grace']),
  root,
  commit: commit(),
  log: (line) => process.stderr.write(line + '\n'),
})
process.stderr.write(`stress: working in ${root}\n`)
const figures = await loop.run()
killAllStarted()
const json = JSON.stringify(
  { ...figures, machine: `${os.cpus().length} cores, ${os.platform()}` },
  null,
  2,
)
if (values.out) fs.writeFileSync(values.out, json + '\n')
process.stdout.write(values.json ? json + '\n' : formatFigures(figures) + '\n')
if (values.keep || failed(figures)) process.stderr.write(`stress: project files kept in ${root}\n`)
else fs.rmSync(root, { recursive: true, force: true })
process.exit(failed(figures) ? 1 : 0)
