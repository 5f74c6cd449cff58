import { describe, expect, it } from 'vitest'
import { runRecord } from '../../test/fake-transport.ts'
import {
  cellValue,
  columnCatalog,
  defaultColumnKeys,
  firstSortDir,
  runRow,
  sortRows,
} from './columns.ts'
import { parseFilter, matchesClauses } from './filter.ts'
import { SEED_GROUPS, aggregate, groupRows, versusGroup } from './groups.ts'

const adam = (id: number, lr: number, seed: number, after: number) =>
  runRecord(id, {
    name: `adam ${id}`,
    seed,
    config: {
      seed,
      rotation: { optimizer: { name: 'riemannian-adam', lr } },
      analyses: { faithfulness: { points: 16 }, circuit: null },
    },
    configSummary: { optimizer: 'riemannian-adam', samples: 100 },
    keyMetrics: {
      testAccuracy: 0.9,
      'layer2.nearZero.before': 0.1,
      'layer2.nearZero.after': after,
    },
  })
const seedGd = runRecord(9, {
  name: 'original',
  status: 'failed',
  config: {
    seed: 0,
    rotation: { optimizer: { name: 'seed-gd', lr: 1e-4 } },
    analyses: { faithfulness: null, circuit: { edgesPerLayer: 8 } },
  },
  configSummary: { optimizer: 'seed-gd', samples: 100 },
  tags: ['baseline'],
})
const runs = [adam(1, 0.01, 0, 0.5), adam(2, 0.01, 1, 0.3), adam(3, 5e-4, 0, 0.45), seedGd]
const rows = runs.map(runRow)
const catalog = columnCatalog(runs)

describe('columnCatalog', () => {
  it('derives config paths, key config fields and metrics from the runs', () => {
    const keys = catalog.map((c) => c.key)
    expect(keys.slice(0, 3)).toEqual(['id', 'name', 'status'])
    expect(keys).toContain('config.rotation.optimizer.lr')
    expect(keys).toContain('config.analyses.faithfulness.points')
    expect(keys).toContain('summary.optimizer')
    expect(keys).toContain('metric.layer2.nearZero.after')
    expect(keys).toContain('nearZero.layer2')
    expect(keys.slice(-2)).toEqual(['tags', 'createdAt'])
    // Notes get a column once a run has some.
    const noted = columnCatalog([...runs, { ...seedGd, id: 9, notes: 'rerun at 30 s' }])
    expect(noted.map((c) => c.key).slice(-3)).toEqual(['tags', 'notes', 'createdAt'])
    expect(defaultColumnKeys(noted)).toContain('notes')
    const lr = catalog.find((c) => c.key === 'config.rotation.optimizer.lr')!
    expect(lr).toMatchObject({ numeric: true, label: 'optimizer.lr', group: 'config' })
    expect(catalog.find((c) => c.key === 'summary.optimizer')!.numeric).toBe(false)
  })

  it('reads an analysis that is on in one run and off in another as on/off, not a dash', () => {
    const col = catalog.find((c) => c.key === 'config.analyses.faithfulness')!
    expect(col.toggle).toBe(true)
    expect(col.numeric).toBe(false)
    expect(cellValue(rows[0], col.key)).toBe('on')
    expect(cellValue(rows[3], col.key)).toBeNull()
    expect(cellValue(rows[3], 'config.analyses.circuit')).toBe('on')
  })

  it('defaults to the key config, test accuracy and nearZero per layer', () => {
    const keys = defaultColumnKeys(catalog)
    expect(keys).toEqual(
      expect.arrayContaining(['id', 'summary.optimizer', 'nearZero.layer2', 'metric.testAccuracy']),
    )
    expect(keys).not.toContain('config.rotation.optimizer.lr')
    expect(keys).not.toContain('summary.samples')
  })

  it('sorts by any column, missing values last', () => {
    const byLr = sortRows(rows, { key: 'config.rotation.optimizer.lr', dir: 'asc' })
    expect(byLr.map((r) => r.run.id)).toEqual([9, 3, 2, 1])
    const byAfter = sortRows(rows, { key: 'nearZero.layer2', dir: 'desc' })
    expect(byAfter.map((r) => r.run.id)).toEqual([1, 3, 2, 9])
    const asc = sortRows(rows, { key: 'nearZero.layer2', dir: 'asc' })
    expect(asc.at(-1)!.run.id).toBe(9)
    expect(firstSortDir(catalog.find((c) => c.key === 'name'))).toBe('asc')
    expect(firstSortDir(catalog.find((c) => c.key === 'metric.testAccuracy'))).toBe('desc')
  })
})

describe('parseFilter', () => {
  const ids = (text: string) => {
    const f = parseFilter(text, catalog)
    if (!f.ok) throw new Error(f.error)
    return rows.filter((r) => matchesClauses(r, f.clauses)).map((r) => r.run.id)
  }

  it('filters by config paths and metrics with every operator', () => {
    expect(ids('rotation.optimizer.lr < 1e-3')).toEqual([3, 9])
    expect(ids('layer2.nearZero.after > 0.4')).toEqual([1, 3])
    expect(ids('layer2.nearZero.after >= 0.45 and rotation.optimizer.lr = 0.01')).toEqual([1])
    expect(ids('seed != 0')).toEqual([2])
    expect(ids('rotation.optimizer.lr <= 5e-4 && status == failed')).toEqual([9])
    expect(ids('rotation.optimizer.name ~ ADAM')).toEqual([1, 2, 3])
    expect(ids('tags ~ base')).toEqual([9])
    expect(ids('name = "adam 2"')).toEqual([2])
    expect(ids('metric.testAccuracy > 0.5')).toEqual([1, 2, 3])
    expect(ids('analyses.faithfulness = on')).toEqual([1, 2, 3])
    expect(ids('  ')).toEqual([1, 2, 3, 9])
  })

  it('says which clause is wrong and what was expected', () => {
    const err = (text: string) => {
      const f = parseFilter(text, catalog)
      return f.ok ? null : f.error
    }
    expect(err('lr < 1e-3')).toMatch(/no field “lr”.*rotation\.optimizer\.lr/)
    expect(err('seed = 1 and layer2.nearZero.after >')).toMatch(
      /clause 2 .*expected a value after >/,
    )
    expect(err('seed 1')).toMatch(/clause 1 .*expected FIELD OP VALUE/)
    expect(err('seed = 1 and')).toMatch(/clause 2/)
    expect(err('bogus.thing = 1')).toMatch(/no field “bogus\.thing”/)
  })
})

describe('groupRows', () => {
  it('groups runs that differ only by seed and aggregates mean ± sd', () => {
    const groups = groupRows(rows, SEED_GROUPS, catalog)
    expect(groups.map((g) => g.rows.map((r) => r.run.id))).toEqual([[1, 2], [3], [9]])
    const after = groups[0].stats['nearZero.layer2']
    expect(after.n).toBe(2)
    expect(after.mean).toBeCloseTo(0.4)
    expect(after.sd).toBeCloseTo(Math.sqrt(0.02))
    expect(groups[0].label).toMatch(/seeds 0, 1/)
    expect(groups[1].stats['nearZero.layer2'].sd).toBeNull()
  })

  it('names a seed group once, seeds in order, and tells a difference beyond noise', () => {
    const seeded = (id: number, seed: number, after: number, lr = 0.01) =>
      runRecord(id, { ...adam(id, lr, seed, after), name: `fast · seed ${seed}` })
    const all = [
      seeded(1, 2, 0.5),
      seeded(2, 0, 0.52),
      seeded(3, 1, 0.48),
      seeded(4, 0, 0.2, 0.1),
      seeded(5, 1, 0.22, 0.1),
      seeded(6, 0, 0.49, 0.2),
      seeded(7, 1, 0.53, 0.2),
    ].map(runRow)
    const groups = groupRows(all, SEED_GROUPS, columnCatalog(all.map((r) => r.run)))
    expect(groups[0].label).toBe('fast · seeds 0, 1, 2')
    const key = 'nearZero.layer2'
    const far = versusGroup(groups[1], groups[0], key, 'delta')!
    expect(far.text).toMatch(/^−0\.29/)
    expect(far.beyondNoise).toBe(true)
    expect(versusGroup(groups[2], groups[0], key, 'delta')!.beyondNoise).toBe(false)
    // A lone run has no spread to tell noise by: only the difference.
    const lone = groupRows(all.slice(0, 4), SEED_GROUPS, columnCatalog(all.map((r) => r.run)))
    expect(versusGroup(lone[1], lone[0], key, 'ratio')).toEqual({
      text: '0.400×',
      beyondNoise: null,
    })
  })

  it('groups by any column and reports a shared text value', () => {
    const groups = groupRows(rows, 'summary.optimizer', catalog)
    expect(groups.map((g) => g.rows.length)).toEqual([3, 1])
    expect(groups[0].label).toBe('optimizer (key config) = riemannian-adam')
    const status = catalog.find((c) => c.key === 'status')!
    expect(aggregate(groups[0].rows, status)).toMatchObject({ common: 'completed', distinct: 1 })
    expect(aggregate(rows, status)).toMatchObject({ common: null, distinct: 2 })
  })
})
