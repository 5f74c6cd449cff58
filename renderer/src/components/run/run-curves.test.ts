import { describe, expect, it } from 'vitest'
import { exampleSummary as summary } from '../../test/run-summary.ts'
import {
  byStage,
  curvePoints,
  objectiveEnds,
  objectiveSeries,
  emaSmooth,
  parseSeries,
  seriesGroups,
  seriesLayer,
  smoothedSeries,
  trainingSeries,
} from './run-curves.ts'

describe('run-curves', () => {
  it('groups metric series by layer and names pairwise sides and joint stages', () => {
    const p = [{ step: 1, wallTime: 0.5, value: 3 }]
    const g = seriesGroups(
      {
        'objective.layer2': p,
        'objective.layer1.in': p,
        'objective.layer1.out': p,
        'objective.joint': p,
        'train.loss': p,
      },
      'objective',
    )
    expect(g.map((x) => x.label)).toEqual([
      'layer 1 (output side)',
      'layer 1 (input side)',
      'layer 2',
      'all layers (joint)',
    ])
  })

  it('puts training batches on an epoch axis beside the per-epoch history', () => {
    const batches = Array.from({ length: 10 }, (_, i) => ({
      step: i + 1,
      wallTime: i,
      value: 2 - i / 10,
    }))
    const s = trainingSeries({ 'train.loss': batches }, summary.model.trainHistory, 'loss', {
      batch: '#1',
      epoch: '#2',
    })
    expect(s).toHaveLength(2)
    expect(s[0].points.at(-1)).toEqual([2, batches[9].value]) // step 10 of 10 = epoch 2
    expect(s[0].points[4][0]).toBe(1)
    expect(s[1].points).toEqual([
      [1, 2],
      [2, 1],
    ])
    expect(trainingSeries({}, [], 'loss', { batch: '', epoch: '' })).toEqual([])
  })

  it('draws curves against step, seconds in the stage or seconds in the run', () => {
    const stage2 = [
      { step: 1, wallTime: 12.5, value: 9 },
      { step: 2, wallTime: 13, value: 7 },
    ]
    expect(curvePoints(stage2, 'step')).toEqual([
      [1, 9],
      [2, 7],
    ])
    expect(curvePoints(stage2, 'stageSeconds')).toEqual([
      [0, 9],
      [0.5, 7],
    ])
    expect(curvePoints(stage2, 'runSeconds')[0]).toEqual([12.5, 9])
    // With the stage's recorded start, the time before its first step shows.
    expect(curvePoints(stage2, 'stageSeconds', 12)).toEqual([
      [0.5, 9],
      [1, 7],
    ])
  })

  it('pairs each optimizer series with the start of its stage', () => {
    const at = (wallTime: number, value = 1) => [{ step: 0, wallTime, value }]
    const groups = seriesGroups(
      {
        'objective.layer2': at(12),
        'objective.layer1.in': at(3),
        'objective.joint': at(30),
        'stageStart.layer2': at(11, 11.5),
        'stageStart.layer1.in': at(2, 2.25),
      },
      'objective',
    )
    expect(groups.map((g) => [g.label, g.stageStart])).toEqual([
      ['layer 1 (input side)', 2.25],
      ['layer 2', 11.5],
      ['all layers (joint)', null],
    ])
    expect(parseSeries('gradNorm.layer1.out')).toEqual({
      prefix: 'gradNorm',
      stage: 'layer1.out',
      layer: 1,
      side: 'out',
    })
    expect(seriesLayer('stageStart.layer2')).toBeNull()
    expect(seriesLayer('objective.layer2')).toBe(2)
  })

  it('smooths with a debiased EMA and keeps the raw curve faint beneath', () => {
    const raw = [
      [0, 10],
      [1, 0],
      [2, 10],
    ] as const
    expect(emaSmooth(raw, 0)).toEqual(raw)
    const s = emaSmooth(raw, 0.5)
    // Debiased: the first point is the first value, not half of it.
    expect(s[0]).toEqual([0, 10])
    expect(s[1][1]).toBeCloseTo((0.5 * 0.5 * 10 + 0.5 * 0) / 0.75)
    expect(emaSmooth([[0, NaN], ...raw], 0.5)).toHaveLength(3)
    const drawn = smoothedSeries({ name: 'objective', color: '#f00' }, raw, 0.6)
    expect(drawn.map((d) => [d.name, d.opacity])).toEqual([
      ['objective · raw', 0.28],
      ['objective', undefined],
    ])
    expect(smoothedSeries({ name: 'objective' }, raw, 0)).toHaveLength(1)
  })

  it('pairs the full objective with its stage and reads a relative curve off its start', () => {
    const at = (step: number, value: number) => ({ step, wallTime: 5 + step, value })
    const metrics = {
      'objective.layer2': [at(1, 9), at(2, 7), at(3, 8)],
      'objectiveFull.layer2': [at(1, 10), at(2, 8), at(3, 6)],
      'objectiveFull.layer1.in': [at(1, 1)],
      'stageStart.layer2': [{ step: 0, wallTime: 5, value: 5 }],
    }
    const [minibatch] = seriesGroups(metrics, 'objective')
    const full = byStage(seriesGroups(metrics, 'objectiveFull'))
    expect([...full.keys()]).toEqual(['layer1.in', 'layer2'])
    const drawn = objectiveSeries(minibatch, full.get('layer2'), {
      axis: 'stageSeconds',
      smoothing: 0,
      names: { minibatch: 'mb', full: 'full' },
      color: '#1',
      scale: 10,
    })
    expect(drawn.map((d) => [d.name, d.symbols ?? false])).toEqual([
      ['mb', false],
      ['full', true],
    ])
    expect(drawn[1].points).toEqual([
      [1, 1],
      [2, 0.8],
      [3, 0.6],
    ])
    expect(objectiveEnds(minibatch, full.get('layer2'))).toEqual({
      first: 10,
      last: 6,
      steps: 3,
      full: true,
    })
    expect(objectiveEnds(minibatch, undefined)).toMatchObject({ first: 9, last: 8, full: false })
  })
})
