import { describe, expect, it } from 'vitest'
import {
  type BasesEntry,
  basesTable,
  basisVerdict,
  higherIsBetter,
  metricRows,
  perRunTable,
} from './compare-tables.ts'

const space = (identities: number[], meanAbsCos: number): BasesEntry =>
  ({
    space: 1,
    size: 64,
    chance: 0.3,
    pairs: [{ a: 1, b: 2, meanAbsCos, permutationDistance: 0.1 }],
    runs: identities.map((m, i) => ({ runId: i + 1, identity: { meanAbsCos: m } })),
  }) as unknown as BasesEntry

describe('compare tables', () => {
  it('lays one column per run beside the first', () => {
    const t = perRunTable(
      'x',
      { key: 'k', label: 'key' },
      [
        { id: 3, label: '#3 a' },
        { id: 5, label: '#5 b' },
      ],
      [{ k: 'lr', v: [1, 2] }],
      (i) => i.k,
      (i, run) => i.v[run],
    )
    expect(t.columns.map((c) => c.key)).toEqual(['k', 'run3', 'run5'])
    expect(t.rows).toEqual([{ k: 'lr', run3: 1, run5: 2 }])
  })

  it('marks the best only where higher is better and against the reference', () => {
    expect(higherIsBetter('testAccuracy')).toBe(true)
    expect(higherIsBetter('loss')).toBe(false)
    const [acc, loss] = metricRows(
      [
        { key: 'testAccuracy', values: [0.9, 0.95, null] },
        { key: 'loss', values: [1, 2, 3] },
      ],
      0,
      'delta',
    )
    expect(acc.best).toBe(0.95)
    expect(acc.versus[0]).toBeNull()
    expect(acc.versus[1]).not.toBeNull()
    expect(loss.best).toBeNull()
  })

  it('reads a pair against the neurons and chance', () => {
    expect(basisVerdict(space([0.99, 0.99], 0.99), { a: 1, b: 2, meanAbsCos: 0.99 }).tone).toBe(
      'warn',
    )
    expect(basisVerdict(space([0.5, 0.5], 0.99), { a: 1, b: 2, meanAbsCos: 0.99 }).text).toBe(
      'same basis',
    )
    expect(basisVerdict(space([0.5, 0.5], 0.32), { a: 1, b: 2, meanAbsCos: 0.32 }).tone).toBe('bad')
    expect(basisVerdict(space([0.5, 0.5], 0.6), { a: 1, b: 2, meanAbsCos: 0.6 }).tone).toBe('')
    expect(basesTable([space([0.5, 0.7], 0.6)]).rows[0]).toMatchObject({
      identityA: 0.5,
      identityB: 0.7,
    })
  })
})
