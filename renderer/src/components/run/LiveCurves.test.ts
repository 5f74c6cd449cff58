// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import SeriesChart from '../charts/SeriesChart.vue'
import LiveCurves from './LiveCurves.vue'

describe('LiveCurves', () => {
  it('names the training curve for what it is: the epoch mean so far, not per batch', () => {
    const points = [1, 2, 3].map((step) => ({ step, wallTime: step, value: 1 / step }))
    const w = mount(LiveCurves, {
      props: { metrics: { 'train.loss': points, 'train.accuracy': points }, filePrefix: 'run-1' },
      global: { plugins: [createPinia()], stubs: { EChart: true } },
    })
    expect(w.text()).toContain('mean over the epoch so far')
    expect(w.text()).not.toMatch(/per batch(?! \()/)
    const names = (w.findComponent(SeriesChart).props('series') as readonly { name: string }[]).map(
      (s) => s.name,
    )
    expect(names).toEqual(['loss, epoch mean so far', 'accuracy, epoch mean so far'])
  })

  it('draws the true per-batch loss beside the epoch mean when the run records it', () => {
    const points = [1, 2, 3].map((step) => ({ step, wallTime: step, value: 1 / step }))
    const jagged = [1, 2, 3].map((step) => ({ step, wallTime: step, value: step % 2 }))
    const w = mount(LiveCurves, {
      props: {
        metrics: { 'train.loss': points, 'train.batchLoss': jagged, 'train.accuracy': points },
        filePrefix: 'run-1',
      },
      global: { plugins: [createPinia()], stubs: { EChart: true } },
    })
    const series = w.findComponent(SeriesChart).props('series') as readonly {
      name: string
      points: readonly (readonly [number, number])[]
    }[]
    expect(series.map((s) => s.name)).toEqual([
      'loss per batch',
      'loss, epoch mean so far',
      'accuracy, epoch mean so far',
    ])
    expect(series[0].points.map((p) => p[1])).toEqual([1, 0, 1])
  })

  it('draws each layer relative to its full objective at step 1, checkpoints over the curve', () => {
    const at = (step: number, value: number) => ({ step, wallTime: step, value })
    const w = mount(LiveCurves, {
      props: {
        metrics: {
          'objective.layer1': [at(1, 90), at(2, 70), at(3, 60)],
          'objectiveFull.layer1': [at(1, 100), at(2, 80)],
        },
        filePrefix: 'run-1',
      },
      global: { plugins: [createPinia()], stubs: { EChart: true } },
    })
    const series = w.findComponent(SeriesChart).props('series') as readonly {
      name: string
      points: readonly (readonly [number, number])[]
      legend?: boolean
    }[]
    expect(series.map((s) => s.name)).toEqual(['layer 1 · raw', 'layer 1', 'layer 1 · full'])
    expect(series[0].points.map((p) => p[1])).toEqual([0.9, 0.7, 0.6])
    expect(series[2].points).toEqual([
      [1, 1],
      [2, 0.8],
    ])
    expect(series[2].legend).toBe(false)
  })
})
