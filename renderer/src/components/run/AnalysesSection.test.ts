// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import AnalysesSection from './AnalysesSection.vue'

const basis = (fewest: number | null, nodes: number | null) => ({
  curve: [{ k: 320, accuracy: 0.9 }],
  fewest: { '0.01': fewest },
  fewestNodes: { '0.01': nodes },
})

const summary = {
  model: { layers: [784, 32, 32, 10] },
  data: { objectiveSamples: 100 },
  rotation: { layers: [] },
  analyses: {
    lib: {
      maxAbsLogitDiff: 2e-6,
      accuracyBefore: 0.9,
      accuracyAfter: 0.9,
      samples: 200,
      spaces: [{ space: 1, kept: 28, rank: 29, condition: 128, inverseError: 4e-7 }],
    },
    faithfulness: [
      {
        layer: 3,
        fullAccuracy: 0.9,
        nodeSpace: 2,
        nodeRanking: 'held-out',
        bases: { learned: basis(170, 23), lib: basis(41, 6), neuron: basis(200, null) },
      },
    ],
  },
} as unknown as StoredRunSummary

describe('AnalysesSection', () => {
  const w = mount(AnalysesSection, {
    props: { summary, artifacts: [], filePrefix: 'run-1' },
    global: { plugins: [createPinia()], stubs: { EChart: true } },
  })

  it('shows LIB’s own function check and what it keeps per space', () => {
    expect(w.get('[data-testid="lib-check"]').text()).toMatch(/✓ function preserved/)
    const row = w
      .get('[data-testid="lib-spaces"] tbody tr')
      .findAll('td')
      .map((c) => c.text())
    expect(row).toEqual(['hidden 1', '28', '29', '32', '128', '4.0e-7'])
  })

  it('puts the fewest directions beside the fewest connections, bases in one order', () => {
    const rows = w
      .findAll('[data-testid="faithfulness-fewest"] tbody tr')
      .map((r) => r.findAll('td').map((c) => c.text()))
    expect(rows).toEqual([
      ['neuron', '200', '320', 'never', '32'],
      ['LIB', '41', '320', '6', '32'],
      ['learned', '170', '320', '23', '32'],
    ])
    expect(w.get('[data-testid="faithfulness-fewest"]').text()).toContain(
      'fewest directions of hidden 2',
    )
  })
})
