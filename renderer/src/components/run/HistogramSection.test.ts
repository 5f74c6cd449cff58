// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { AbsJacobianHistogram, StoredRunSummary } from '../../../../core/api/summary.ts'
import EChart from '../charts/EChart.vue'
import type { AnyOption } from '../charts/test-theme.ts'
import HistogramSection from './HistogramSection.vue'

/** A summary with one layer's histograms; only what the section reads. */
function summary(before: AbsJacobianHistogram, after: AbsJacobianHistogram) {
  return {
    config: { evaluation: { nearZeroThreshold: 0.01 } },
    data: { heldOutSamples: 2000 },
    model: { layers: [784, 32, 10] },
    rotation: { layers: [{ layer: 1, histogram: { before, after } }] },
  } as unknown as StoredRunSummary
}

function render(s: StoredRunSummary) {
  return mount(HistogramSection, {
    props: { summary: s, live: false, filePrefix: 'run-1' },
    global: { plugins: [createPinia()], stubs: { EChart: true } },
  })
}

describe('HistogramSection', () => {
  it('draws exact zeros in a bin of their own and names the shares', () => {
    // Dead ReLU rows: a third of the neuron basis is exactly 0, the learned basis has none.
    const before = { log10Min: -8, log10Max: 2, zeros: 300, below: 0, counts: [0, 700] }
    const after = { log10Min: -8, log10Max: 2, zeros: 0, below: 100, counts: [0, 900] }
    const w = render(summary(before, after))
    expect(w.text()).toContain('exact zeros 30.0% → 0.0%')
    expect(w.text()).toContain('below 1e-8 0.0% → 10.0%')
    expect(w.find('[data-testid="hist-zeros-note"]').exists()).toBe(false)
    const option = w.findComponent(EChart).props('option') as AnyOption
    const labels = option.xAxis.axisLabel.customValues.map((v: number) =>
      option.xAxis.axisLabel.formatter(v),
    )
    expect(labels.slice(0, 3)).toEqual(['0', '<1e-8', '1e-8'])
    const zeroBins = option.series.filter((_: unknown, i: number) => i % 3 === 2)
    const height = (s: AnyOption) => Math.max(...(s.data as [number, number][]).map((p) => p[1]))
    expect(zeroBins.map(height)).toEqual([0.3, 0])
    expect(option.series[0].markLine.data[0].label.formatter).toBe('1% of max |J|')
  })

  it('says that an old run counted exact zeros inside the tiny bin', () => {
    const old = { log10Min: -8, log10Max: 2, below: 300, counts: [0, 700] }
    const w = render(summary(old, { ...old, below: 10, counts: [0, 990] }))
    expect(w.get('[data-testid="hist-zeros-note"]').text()).toMatch(/predates the exact-zero count/)
    expect(w.text()).toContain('exact zeros and below 1e-8: 30.0% → 1.0%')
    const option = w.findComponent(EChart).props('option') as AnyOption
    expect(option.xAxis.axisLabel.formatter(option.xAxis.axisLabel.customValues[0])).toBe(
      '0 or <1e-8',
    )
  })

  it('says how many held-out inputs it counted when fewer than all', () => {
    const h = { log10Min: -8, log10Max: 2, zeros: 0, below: 0, counts: [0, 1000] }
    expect(render(summary({ ...h, samples: 650 }, { ...h, samples: 650 })).text()).toContain(
      '1,000 entries of the first 650 of 2,000 held-out inputs',
    )
    const all = render(summary({ ...h, samples: 2000 }, { ...h, samples: 2000 })).text()
    expect(all).toContain('1,000 entries')
    expect(all).not.toContain('held-out inputs ·')
    expect(all).not.toContain('of the first')
  })
})
