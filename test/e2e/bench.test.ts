import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { benchReportSchema } from '../../bench/schema.ts'

const root = resolve(import.meta.dirname, '../..')

describe('npm run bench -- --quick --json', () => {
  it('prints one report of the documented shape (timings shrunk; the shape, not the speed, is checked)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/rotation-bench.ts',
        '--quick',
        '--json',
        ...['--reference-seconds', '1', '--budget', '1', '--seed-seconds', '1', '--samples', '60'],
      ],
      { cwd: root, encoding: 'utf8' },
    )
    expect(r.status, r.stderr.slice(-2000)).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const report = benchReportSchema.parse(JSON.parse(lines[0]))
    expect(report.mode).toBe('quick')
    expect(report.problems.map((p) => p.layer)).toEqual([1, 2])
    for (const p of report.problems) {
      expect(p.optimizers.map((o) => o.name)).toEqual([
        'reference-adam',
        'riemannian-adam',
        'seed-gd',
      ])
      expect(p.reference.budgetSeconds).toBe(1)
      expect(p.reference.objective120).toBeNull()
      // The reference reaches its own best: its speed-up over itself is 1.
      expect(p.optimizers[0].secondsToReference).toBe(p.reference.secondsToObjective)
    }
    expect(report.jacobianGflops).toBeGreaterThan(0)
    expect(report.training.secondsFor15Epochs).toBeGreaterThan(0)
  })
})
