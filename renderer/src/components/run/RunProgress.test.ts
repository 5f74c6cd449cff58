// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { LiveProgress } from '../../stores/run-view.ts'
import RunProgress from './RunProgress.vue'

const progress = (p: Partial<LiveProgress>): LiveProgress => ({
  jobId: 'job-1',
  phase: 'rotate',
  message: 'optimizing layer 2: step 40',
  fraction: 0.5,
  etaSeconds: 75,
  values: {},
  at: 0,
  ...p,
})

const render = (p: LiveProgress | null, status: 'queued' | 'running' = 'running') =>
  mount(RunProgress, { props: { status, progress: p, cancelling: false } })
const eta = (w: ReturnType<typeof render>) => w.get('[data-testid="run-eta"]').text()

describe('RunProgress', () => {
  it('shows the ETA the engine models, and says when there is none yet', () => {
    expect(eta(render(progress({ etaSeconds: 75 })))).toBe('ETA 1 m 15 s')
    expect(eta(render(progress({ etaSeconds: 4.2 })))).toBe('ETA 4.2 s')
    expect(eta(render(progress({ etaSeconds: null })))).toBe('ETA estimating…')
    expect(eta(render(null))).toBe('starting…')
    const queued = render(null, 'queued')
    expect(eta(queued)).toBe('waiting for a worker')
    expect(queued.text()).toContain('in the queue')
  })

  it('marks the phases done and current, and the overall fraction', () => {
    const w = render(progress({ phase: 'rotate', fraction: 0.62 }))
    const phases = w.findAll('.phases li')
    const state = phases.map((li) =>
      li.classes('done') ? 'done' : li.classes('current') ? 'now' : '',
    )
    expect(phases.map((li) => li.text())).toEqual([
      'data',
      'train',
      'neuron basis',
      'rotate',
      'verify',
      'analyses',
      'save',
    ])
    expect(state).toEqual(['done', 'done', 'done', 'now', '', '', ''])
    expect(w.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('62')
    expect(w.text()).toContain('optimizing layer 2: step 40')
  })

  it('shows only the numbers of the latest event: no stale labels from an earlier phase', async () => {
    const w = render(
      progress({ values: { stage: 2, stages: 2, step: 40, objective: 612.3, gradNorm: 3.1 } }),
    )
    expect(w.text()).toMatch(/stage\s*2\/2/)
    expect(w.text()).toContain('612.3')
    await w.setProps({
      progress: progress({
        phase: 'verify',
        message: 'held-out metrics in the learned basis, layer 1',
        fraction: 0.9,
        etaSeconds: 3,
      }),
    })
    expect(w.text()).not.toContain('stage')
    expect(w.text()).not.toContain('612.3')
    expect(w.text()).not.toContain('optimizing')
    expect(w.find('dl.values').exists()).toBe(false)
  })
})
