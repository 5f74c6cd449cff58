import { describe, expect, it } from 'vitest'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import {
  BASIS_LABELS,
  baselineNames,
  baselinesTable,
  configValue,
  curvePoints,
  emaSmooth,
  faithfulnessTable,
  functionPreserved,
  heldOutTable,
  layerTitle,
  metricSeriesTable,
  orderBases,
  parseSeries,
  pythonSnippet,
  seriesGroups,
  seriesLayer,
  smoothedSeries,
  sparser,
  spaceName,
  trainingSeries,
} from './run-data.ts'

const m = (nearZero: number, hoyerSparsity: number, measure: number, fanIn: number) => ({
  nearZero,
  hoyerSparsity,
  measure,
  fanIn,
})
const layer = (k: number, before: ReturnType<typeof m>, after: ReturnType<typeof m>) => ({
  layer: k,
  shape: [4, 3] as const,
  optimized: k === 1,
  optimizer: k === 1 ? 'riemannian-adam' : null,
  steps: 10,
  seconds: 1,
  stopReason: 'budget',
  objectiveStart: 10,
  objectiveEnd: 8,
  heldOut: { before, after },
  trace: [],
})

const summary = {
  config: { analyses: { features: { top: 9 } } },
  model: {
    layers: [3, 4, 2],
    trainHistory: [
      { epoch: 1, loss: 2, accuracy: 0.5 },
      { epoch: 2, loss: 1, accuracy: 0.8 },
    ],
  },
  rotation: {
    layers: [
      layer(1, m(0.2, 0.3, 100, 5), m(0.4, 0.35, 80, 4)),
      layer(2, m(0, 0.1, 5, 2), m(0.1, 0.1, 5, 2)),
    ],
  },
  functionPreservation: {
    maxAbsLogitDiff: 2e-6,
    accuracyBefore: 0.9,
    accuracyAfter: 0.9,
    samples: 100,
  },
  analyses: {
    baselines: [
      {
        layer: 1,
        bases: { learned: m(0.4, 0, 0, 0), pca: m(0.3, 0, 0, 0), neuron: m(0.2, 0, 0, 0) },
      },
    ],
    faithfulness: [
      {
        layer: 1,
        fullAccuracy: 0.9,
        bases: {
          learned: {
            curve: [
              { k: 1, accuracy: 0.1 },
              { k: 12, accuracy: 0.9 },
            ],
            fewest: { '0.01': 5, '0.001': null },
          },
        },
      },
    ],
  },
} as unknown as StoredRunSummary

describe('run-data', () => {
  it('reads config paths and names spaces and layers', () => {
    expect(configValue(summary.config, 'analyses.features.top')).toBe(9)
    expect(configValue(summary.config, 'analyses.circuit')).toBeUndefined()
    expect(configValue(null, 'a')).toBeUndefined()
    expect([0, 1, 2].map((s) => spaceName(s, 2))).toEqual(['input', 'hidden 1', 'logits'])
    expect(layerTitle(1, 2)).toBe('Layer 1 · input → hidden 1')
  })

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

  it('knows which direction is sparser per metric', () => {
    expect(sparser('nearZero', 0.2, 0.4)).toBe(true)
    expect(sparser('measure', 100, 80)).toBe(true)
    expect(sparser('fanIn', 2, 3)).toBe(false)
    expect(sparser('hoyerSparsity', 0.1, 0.1)).toBeNull()
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

  it('passes function preservation only with tiny logit differences and equal accuracy', () => {
    expect(functionPreserved(summary.functionPreservation)).toBe(true)
    const off = (f: Partial<StoredRunSummary['functionPreservation']>) => ({
      ...summary.functionPreservation,
      ...f,
    })
    expect(functionPreserved(off({ maxAbsLogitDiff: 2e-3 }))).toBe(false)
    expect(functionPreserved(off({ accuracyAfter: 0.89 }))).toBe(false)
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
      ['objective', 0.28],
      ['objective · EMA 0.6', undefined],
    ])
    expect(smoothedSeries({ name: 'objective' }, raw, 0)).toHaveLength(1)
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

  it('writes the Python that loads the exported rotations under their exported names', () => {
    const s = { ...summary, model: { ...summary.model, layers: [784, 32, 16, 10] } }
    expect(pythonSnippet(7, s as StoredRunSummary)).toEqual([
      'from safetensors.numpy import load_file',
      'R = load_file("run-7-rotations.safetensors")  # R1 … R2',
      'h1_rotated = h1 @ R["R1"].T  # h1: [N, 32] hidden-1 activations',
      '# or with NumPy alone: R1 = np.load("run-7-rotations.R1.npy")',
    ])
    const oblique = { ...s, rotation: { ...s.rotation, transform: 'oblique' as const } }
    expect(pythonSnippet(7, oblique as StoredRunSummary)![1]).toMatch(
      /^T = load_file\("run-7-transforms.safetensors"\) {2}# T1, Tinv1 … T2, Tinv2/,
    )
    expect(pythonSnippet(7, oblique as StoredRunSummary)![3]).toContain('run-7-rotations.T1.npy')
  })
})
