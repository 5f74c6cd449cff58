import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const BIN = resolve('bin/basiscope.js')

function cli(
  args: string[],
  cwd = process.cwd(),
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 240_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const tiny = {
  data: { source: 'mnist-embedded', split: { kind: 'random', train: 500, test: 200, seed: 1 } },
  model: { source: 'train', hidden: [16, 12], epochs: 4, learningRate: 0.005 },
  rotation: { samples: 80, maxSteps: 20, budgetSeconds: 20 },
}

describe('basiscope CLI (real processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basiscope-cli-'))

  it('run --preset --seeds: a preset under the file, one run per seed, mean ± sd over them', () => {
    writeFileSync(join(dir, 'tiny-seeds.json'), JSON.stringify(tiny))
    const out = join(dir, 'seeds')
    const r = cli([
      'run',
      join(dir, 'tiny-seeds.json'),
      '--preset',
      'original-method',
      '--seeds',
      '2',
      '--steps',
      '3',
      '--json',
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result.seeds).toEqual([0, 1])
    expect(result.summaries).toHaveLength(2)
    // The preset's optimizer, the file's model, the flag's steps.
    for (const s of result.summaries) {
      expect(s.config.rotation.optimizer.name).toBe('seed-gd')
      expect(s.config.model.hidden).toEqual([16, 12])
      expect(s.rotation.layers[0].steps).toBe(3)
    }
    expect(result.aggregate.testAccuracy.n).toBe(2)
    expect(existsSync(join(out, 'seed-0', 'summary.json'))).toBe(true)
    expect(existsSync(join(out, 'seed-1', 'summary.json'))).toBe(true)
    const bad = cli(['run', '--preset', 'nope'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/no preset "nope"; there are .*fast/)
  })

  it('config prints the default config, which is itself a valid config', () => {
    const r = cli(['config'])
    expect(r.code).toBe(0)
    const config = JSON.parse(r.stdout)
    expect(config.rotation.optimizer.name).toBe('riemannian-adam')
    expect(config.model.hidden).toEqual([128, 128])
    writeFileSync(join(dir, 'default.json'), r.stdout)
  })

  it('run --json: stdout is exactly one JSON object, the summary; progress on stderr; then eval reads the artifacts', () => {
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tiny))
    const out = join(dir, 'out')
    const r = cli([
      'run',
      join(dir, 'tiny.json'),
      '--json',
      '--out',
      out,
      '--seed',
      '3',
      '--steps',
      '15',
    ])
    expect(r.stderr).toMatch(/train/)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const s = JSON.parse(lines[0])
    expect(s.config.seed).toBe(3)
    expect(s.config.rotation.maxSteps).toBe(15)
    expect(s.model.layers).toEqual([784, 16, 12, 10])
    expect(s.rotation.layers[0]).toMatchObject({
      layer: 1,
      optimizer: 'riemannian-adam',
      steps: 15,
    })
    expect(s.rotation.measure).toEqual({ name: 'lp', p: 0.5, eps: 0.001 })
    expect(s.functionPreservation.maxAbsLogitDiff).toBeLessThanOrEqual(5e-4)
    for (const key of ['model', 'rotations', 'summary'])
      expect(existsSync(s.artifacts[key])).toBe(true)

    // eval reads what run wrote: the weights and the learned rotations.
    const e = cli([
      'eval',
      '--model',
      s.artifacts.model,
      '--rotations',
      s.artifacts.rotations,
      '--json',
    ])
    expect(e.code, e.stderr).toBe(0)
    const report = JSON.parse(e.stdout)
    expect(report.layers).toHaveLength(3)
    expect(report.accuracy).toBeGreaterThan(0.5)
    for (const l of report.layers) {
      expect(Object.keys(l.measures).sort()).toEqual(['l1', 'log', 'lp'])
      expect(l.nearZero).toBeGreaterThanOrEqual(0)
    }
  })

  it('flags override the config and bad values exit 2 naming the field', () => {
    const bad = cli(['run', '--measure', 'nope'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/rotation\.measure\.name/)
    const badNumber = cli(['run', '--samples', 'many'])
    expect(badNumber.code).toBe(2)
    expect(badNumber.stderr).toMatch(/--samples: expected an integer, got "many"/)
    writeFileSync(join(dir, 'unknown.json'), JSON.stringify({ rotation: { stepz: 3 } }))
    const unknown = cli(['run', join(dir, 'unknown.json')])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/rotation\.stepz: unknown key/)
    writeFileSync(
      join(dir, 'range.json'),
      JSON.stringify({ rotation: { measure: { name: 'lp', p: 7 } } }),
    )
    const range = cli(['run', join(dir, 'range.json')])
    expect(range.code).toBe(2)
    expect(range.stderr).toMatch(/rotation\.measure\.p: .*<=2/)
    writeFileSync(join(dir, 'broken.json'), '{ "seed": ')
    const broken = cli(['run', join(dir, 'broken.json')])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain('broken.json: not valid JSON')
    const missing = cli(['eval', '--model', join(dir, 'nope.safetensors')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.safetensors')
    const usage = cli(['frobnicate'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/unknown command "frobnicate"/)
  })
})

describe('basiscope CLI with projects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basiscope-cli-projects-'))

  it('run --project records the run in a project file; projects list/show read it back', () => {
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tiny))
    const file = join(dir, 'study.basiscope')
    const r = cli(['run', join(dir, 'tiny.json'), '--project', file, '--json', '--steps', '5'])
    expect(r.code, r.stderr).toBe(0)
    const summary = JSON.parse(r.stdout)
    expect(summary.rotation.layers[0].steps).toBe(5)

    const list = cli(['projects', 'list', dir, '--json'])
    expect(list.code, list.stderr).toBe(0)
    const projects = JSON.parse(list.stdout)
    expect(projects).toHaveLength(1)
    expect(projects[0]).toMatchObject({ name: 'study', runCount: 1 })

    const show = cli(['projects', 'show', file, '--json'])
    expect(show.code, show.stderr).toBe(0)
    const shown = JSON.parse(show.stdout)
    expect(shown.runs).toHaveLength(1)
    expect(shown.runs[0]).toMatchObject({ id: 1, status: 'completed' })
    expect(shown.runs[0].configSummary).toMatchObject({ scheme: 'forward', measure: 'lp' })
    expect(shown.runs[0].keyMetrics.maxAbsLogitDiff).toBeLessThan(5e-4)
    const human = cli(['projects', 'show', file])
    expect(human.stdout).toMatch(/#1 completed/)
  })

  it('a file that is not a project is refused with its name and the problem', () => {
    const junk = join(dir, 'junk.basiscope')
    writeFileSync(junk, 'hello, I am not SQLite')
    const r = cli(['projects', 'show', junk])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('junk.basiscope')
    expect(r.stderr).toMatch(/SQLite|not a/i)
    const missing = cli(['projects', 'show', join(dir, 'nope.basiscope')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.basiscope')
  })
})
