// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import RunStatus from './RunStatus.vue'

describe('RunStatus', () => {
  it('marks a run whose row is damaged, saying what is damaged on hover', () => {
    const damaged = 'run 2 in /p.basiscope: config is not valid JSON'
    const w = mount(RunStatus, { props: { status: 'completed', damaged } })
    expect(w.get('[data-testid="run-row-status"]').text()).toBe('completed')
    expect(w.get('[data-testid="run-row-damaged"]').attributes('title')).toBe(damaged)
    const sound = mount(RunStatus, { props: { status: 'completed' } })
    expect(sound.find('[data-testid="run-row-damaged"]').exists()).toBe(false)
  })
})
