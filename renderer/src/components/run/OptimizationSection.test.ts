// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { MetricPoint } from '../../../../core/api/records.ts'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import EChart from '../charts/EChart.vue'
import { exportOption } from '../charts/echarts.ts'
import { type AnyOption, testTheme } from '../charts/test-theme.ts'
import OptimizationSection from './OptimizationSection.vue'
import { DEFAULT_SMOOTHING } from './run-curves.ts'

/** A stage of 64 steps that began 10 s into the run, one step every 0.1 s. */
const STAGE_START = 10
const step = (s: number, value: number): MetricPoint => ({
  step: s,
  wallTime: STAGE_START + 0.1 * s,
  value,
})
/** A noisy minibatch objective falling from 100 towards 50. */
const minibatch = Array.from({ length: 64 }, (_, i) =>
  step(i + 1, 50 + 50 * Math.exp(-i / 10) + (i % 2 ? 6 : -6)),
)
/** The full objective at steps 1, 2, 4, … 64, as the engine records it. */
const full = [1, 2, 4, 8, 16, 32, 64].map((s) => step(s, 50 + 50 * Math.exp(-(s - 1) / 10)))
const metrics: Record<string, MetricPoint[]> = {
  'objective.layer1': minibatch,
  'objectiveFull.layer1': full,
  'gradNorm.layer1': minibatch.map((p) => ({ ...p, value: 1 / p.step })),
  'stageStart.layer1': [{ step: 0, wallTime: STAGE_START, value: STAGE_START }],
}

function render(m: Record<string, MetricPoint[]> = metrics) {
  return mount(OptimizationSection, {
    props: {
      summary: null as StoredRunSummary | null,
      metrics: m,
      live: false,
      filePrefix: 'run-1',
      run: { id: 1, name: 'a' },
    },
    global: { plugins: [createPinia()], stubs: { EChart: true } },
  })
}

/** The option of the layer's objective chart (the first chart: one layer, no relative chart). */
const objectiveChart = (w: ReturnType<typeof render>) =>
  w.findAllComponents(EChart)[0].props('option') as AnyOption
const named = (o: AnyOption, name: string) =>
  o.series.find((s: { name: string }) => s.name === name)

describe('OptimizationSection', () => {
  it('overlays the full-objective checkpoints on the smoothed minibatch curve', () => {
    const w = render()
    const o = objectiveChart(w)
    expect(o.series.map((s: { name: string }) => s.name)).toEqual([
      'minibatch objective · raw',
      'minibatch objective',
      'full objective (all inputs)',
    ])
    // Smoothing is on from the start, the raw minibatch curve faint behind its EMA and out
    // of the legend.
    expect(DEFAULT_SMOOTHING).toBeGreaterThan(0)
    const raw = named(o, 'minibatch objective · raw')
    expect(raw.lineStyle.opacity).toBeLessThan(0.5)
    expect(raw.data).toHaveLength(64)
    const ema = named(o, 'minibatch objective').data.map((p: number[]) => p[1])
    expect(Math.max(...ema.slice(40))).toBeLessThan(
      Math.max(...raw.data.slice(40).map((p: number[]) => p[1])),
    )
    expect(o.legend.data).toEqual(['minibatch objective', 'full objective (all inputs)'])
    // The checkpoints are markers at their own steps with the recorded values.
    const checkpoints = named(o, 'full objective (all inputs)')
    expect(checkpoints.showSymbol).toBe(true)
    expect(checkpoints.symbol).toBe('diamond')
    expect(checkpoints.data).toEqual(full.map((p) => [p.step, p.value]))
    // The line under the stage's title reads the full objective, start → end.
    expect(w.text()).toContain('full objective 100 → 50.09')
    // Step ticks are whole numbers.
    expect(o.xAxis.minInterval).toBe(1)
  })

  it('draws the raw curve alone with smoothing at 0, and seconds since the stage began', async () => {
    const w = render()
    await w.find('[data-testid="curve-smoothing"]').setValue('0')
    await w.find('[data-testid="curve-x-stageSeconds"]').trigger('click')
    const o = objectiveChart(w)
    expect(o.series.map((s: { name: string }) => s.name)).toEqual([
      'minibatch objective',
      'full objective (all inputs)',
    ])
    // x counts from the stage's recorded start: step 1 was 0.1 s into it.
    expect(o.series[0].data[0][0]).toBeCloseTo(0.1)
    expect(o.series[1].data.at(-1)[0]).toBeCloseTo(6.4)
    expect(o.xAxis.minInterval).toBeUndefined()
  })

  it('fits a log y axis to the curves, and exports without the zoom slider', async () => {
    const w = render()
    expect(objectiveChart(w).dataZoom.map((z: { type: string }) => z.type)).toContain('slider')
    await w.find('[data-testid="curve-log-y"]').setValue(true)
    const o = objectiveChart(w)
    expect(o.yAxis.type).toBe('log')
    // Fitted to the data (about 44 … 106), not to whole decades 10 … 1000.
    expect(o.yAxis.min).toBeGreaterThan(30)
    expect(o.yAxis.max).toBeLessThan(150)
    expect(o.yAxis.axisLabel.customValues.length).toBeGreaterThanOrEqual(3)
    const exported = exportOption(o, testTheme(), { text: 'Objective · layer 1' }) as AnyOption
    expect(exported.dataZoom.some((z: { type: string }) => z.type === 'slider')).toBe(false)
  })

  it('draws the minibatch curve alone for runs from before the checkpoints', () => {
    const { 'objectiveFull.layer1': _full, ...older } = metrics
    const w = render(older)
    const names = objectiveChart(w).series.map((s: { name: string }) => s.name)
    expect(names).toEqual(['minibatch objective · raw', 'minibatch objective'])
    expect(w.text()).toContain('94 → 56.09 (0.60×) in 64 steps')
    expect(w.text()).not.toContain('full objective 100')
  })
})
