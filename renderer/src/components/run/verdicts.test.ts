// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import { bestBasis, groupVerdicts, layerVerdicts, ordinal, rankLearned } from './verdicts.ts'
import VerdictLines from './VerdictLines.vue'

const metrics = (nearZero: number) => ({ nearZero, hoyerSparsity: 0, measure: 0, fanIn: 0 })
const faithful = (fewest: Record<string, number | null>) => ({
  curve: [{ k: 100, accuracy: 0.9 }],
  fewest,
})

/** Two layers: the learned basis wins layer 1, LIB's inflated near-zero wins layer 2. */
const summary = {
  model: { layers: [784, 32, 10] },
  analyses: {
    baselines: [
      {
        layer: 1,
        bases: {
          neuron: metrics(0.3),
          random: metrics(0.01),
          pca: metrics(0.05),
          jtj: metrics(0.04),
          lib: metrics(0.2),
          learned: metrics(0.45),
        },
      },
      {
        layer: 2,
        bases: {
          neuron: metrics(0.2),
          random: metrics(0.01),
          pca: metrics(0.1),
          jtj: metrics(0.1),
          lib: metrics(0.8),
          learned: metrics(0.3),
        },
      },
    ],
    faithfulness: [
      {
        layer: 2,
        fullAccuracy: 0.9,
        bases: {
          neuron: faithful({ '0.01': 120, '0.001': 200 }),
          pca: faithful({ '0.01': 90, '0.001': null }),
          lib: faithful({ '0.01': null, '0.001': null }),
          learned: faithful({ '0.01': 60, '0.001': 150 }),
        },
      },
    ],
  },
} as unknown as StoredRunSummary

describe('verdicts', () => {
  it('ranks the learned basis among every basis, ties sharing a rank, "never" last', () => {
    expect(rankLearned({ neuron: 0.3, lib: 0.8, learned: 0.3 }, true)).toEqual({
      rank: 2,
      of: 3,
      learned: 0.3,
      best: { basis: 'lib', value: 0.8 },
    })
    expect(rankLearned({ neuron: 10, pca: null, learned: null }, false)).toMatchObject({
      rank: 2,
      best: { basis: 'neuron', value: 10 },
    })
    expect(rankLearned({ neuron: 1 }, true)).toBeNull()
    expect(bestBasis({ a: null, b: 2, c: 1 }, false)).toBe('c')
    expect(bestBasis({ a: null }, true)).toBeNull()
  })

  it('gives each layer its near-zero rank and its fewest-connections rank', () => {
    const [one, two] = layerVerdicts(summary)
    expect(one).toMatchObject({
      layer: 1,
      nearZero: { rank: 1, of: 6, learned: 0.45, best: { basis: 'neuron', value: 0.3 } },
      fewest: null,
      hasLib: true,
    })
    expect(two.nearZero).toMatchObject({ rank: 2, of: 6, best: { basis: 'lib', value: 0.8 } })
    // The loosest tolerance; a basis that never gets there ranks last.
    expect(two.fewest).toEqual({
      tolerance: '0.01',
      rank: 1,
      of: 4,
      learned: 60,
      best: { basis: 'pca', value: 90 },
    })
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
    ])
  })

  it('says it in one line per layer, with LIB’s near-zero caveat beside it', () => {
    const w = mount(VerdictLines, { props: { summary } })
    const lines = w.findAll('[data-testid="verdict"]').map((l) => l.text().replace(/\s+/g, ' '))
    expect(lines[0]).toBe(
      'Layer 1 · input → hidden 1: learned ranks 1st of 6 on near-zero (0.450; best simple basis neuron 0.300)',
    )
    expect(lines[1]).toContain(
      'learned ranks 2nd of 6 on near-zero (0.300; best simple basis LIB† 0.800)',
    )
    expect(lines[1]).toContain(
      '1st of 4 on fewest connections within 0.01 (60; best simple basis PCA 90)',
    )
    expect(w.get('[data-testid="verdict-lib-note"]').text()).toMatch(
      /^† LIB's near-zero is inflated/,
    )
  })

  it('says nothing for a run without baselines or faithfulness', () => {
    const bare = { model: { layers: [784, 32, 10] }, analyses: {} } as unknown as StoredRunSummary
    expect(layerVerdicts(bare)).toEqual([])
    expect(
      mount(VerdictLines, { props: { summary: bare } })
        .find('[data-testid="verdicts"]')
        .exists(),
    ).toBe(false)
  })

  /** A seed of the group: layer 1's learned and LIB near-zero, layer 2's fewest connections. */
  const seed = (learned: number, lib: number, fewest: number) =>
    ({
      model: { layers: [784, 32, 10] },
      analyses: {
        baselines: [
          {
            layer: 1,
            bases: { neuron: metrics(0.3), lib: metrics(lib), learned: metrics(learned) },
          },
        ],
        faithfulness: [
          {
            layer: 2,
            fullAccuracy: 0.9,
            bases: {
              neuron: faithful({ '0.01': 120 }),
              learned: faithful({ '0.01': fewest }),
            },
          },
        ],
      },
    }) as unknown as StoredRunSummary

  it('compares a seed group’s learned basis with the best simple one, beyond noise or not', () => {
    const group = [seed(0.44, 0.5, 60), seed(0.46, 0.52, 64), seed(0.45, 0.54, 130)]
    const [l1, l2] = groupVerdicts(group)
    expect(l1.layer).toBe(1)
    expect(l1.nearZero!.learned.mean).toBeCloseTo(0.45)
    expect(l1.nearZero!.best.basis).toBe('lib')
    expect(l1.nearZero!.learnedBetter).toBe(false)
    expect(l1.nearZero!.beyondNoise).toBe(true)
    expect(l1.fewest).toBeNull()
    // 85 ± 39 connections against the neuron basis's 120 ± 0: these seeds cannot tell.
    expect(l2.fewest).toMatchObject({ tolerance: '0.01', learnedBetter: true, beyondNoise: false })
    expect(l2.fewest!.best.basis).toBe('neuron')

    const w = mount(VerdictLines, {
      props: { summary: group[0], seedGroup: { runIds: [4, 5, 6], summaries: group } },
    })
    expect(w.get('[data-testid="group-verdicts"]').text()).toContain(
      'Over the 3 seeds of this group (#4, #5, #6), mean ± sd',
    )
    const lines = w
      .findAll('[data-testid="group-verdict"]')
      .map((l) => l.text().replace(/\s+/g, ' '))
    expect(lines[0]).toBe(
      'Layer 1 · input → hidden 1: near-zero: learned 0.450 ± 0.010, LIB 0.520 ± 0.020 — worse, beyond noise',
    )
    expect(lines[1]).toContain(
      'fewest connections within 0.01: learned 85 ± 39, neuron 120 ± 0 — within noise',
    )
    // Without a group, the run's own lines only.
    expect(
      mount(VerdictLines, { props: { summary: group[0] } })
        .find('[data-testid="group-verdicts"]')
        .exists(),
    ).toBe(false)
  })
})
