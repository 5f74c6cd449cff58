import { describe, expect, it } from 'vitest'
import { exampleSummary as summary } from '../../test/run-summary.ts'
import { BASIS_LABELS, baselineNames, orderBases } from './run-data.ts'
import { baselinesTable, faithfulnessTable, heldOutTable, metricSeriesTable } from './run-tables.ts'

describe('run-tables', () => {
  it('builds the held-out table with ratios (none when before is 0)', () => {
    const t = heldOutTable(summary)
    expect(t.columns.map((c) => c.key)).toContain('nearZero.ratio')
    expect(t.rows[0]).toMatchObject({
      layer: 1,
      shape: '4x3',
      'nearZero.before': 0.2,
      'nearZero.after': 0.4,
      'nearZero.ratio': 2,
    })
    expect(t.rows[1]['nearZero.ratio']).toBeNull()
    expect(t.rows[0]['fanIn.ratio']).toBe(0.8)
  })

  it('orders baseline bases neuron … learned and tabulates one metric', () => {
    expect(baselineNames(summary)).toEqual(['neuron', 'pca', 'learned'])
    const t = baselinesTable(summary, 'nearZero')
    expect(t.rows).toEqual([{ layer: 1, neuron: 0.2, pca: 0.3, learned: 0.4 }])
    // LIB stands among the baselines, before the learned basis, as "LIB".
    expect(orderBases(['learned', 'lib', 'other', 'neuron'])).toEqual([
      'neuron',
      'lib',
      'learned',
      'other',
    ])
    expect(BASIS_LABELS.lib).toBe('LIB')
  })

  it('lists fewest connections per tolerance, ascending', () => {
    const t = faithfulnessTable(summary)
    expect(t.columns.map((c) => c.key)).toEqual([
      'layer',
      'basis',
      'connections',
      'fewest.0.001',
      'fewest.0.01',
    ])
    expect(t.rows[0]).toMatchObject({
      basis: 'learned',
      connections: 12,
      'fewest.0.01': 5,
      'fewest.0.001': null,
    })
  })

  it('exports every series of several runs in long format, gradient norm included', () => {
    const point = (step: number, value: number) => ({ step, wallTime: step / 10, value })
    const t = metricSeriesTable([
      {
        id: 1,
        name: 'a',
        metrics: { 'objective.layer1': [point(1, 5)], 'gradNorm.layer1': [point(1, 0.3)] },
      },
      { id: 2, name: 'b', metrics: { 'objective.layer1': [point(1, 4), point(2, 3)] } },
    ])
    expect(t.columns.map((c) => c.key)).toEqual([
      'run',
      'runName',
      'series',
      'step',
      'wallTime',
      'value',
    ])
    expect(t.rows.map((r) => [r.run, r.series, r.step, r.value])).toEqual([
      [1, 'gradNorm.layer1', 1, 0.3],
      [1, 'objective.layer1', 1, 5],
      [2, 'objective.layer1', 1, 4],
      [2, 'objective.layer1', 2, 3],
    ])
  })
})
