// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import RunWarnings from './RunWarnings.vue'

describe('RunWarnings', () => {
  it('lists every warning the run stored', () => {
    const w = mount(RunWarnings, {
      props: { warnings: ['split.json: ignored keys "description"', 'samples capped to 100'] },
    })
    expect(w.get('[data-testid="run-warnings"]').text()).toContain('2 warnings')
    expect(w.findAll('li').map((li) => li.text())).toEqual([
      'split.json: ignored keys "description"',
      'samples capped to 100',
    ])
  })

  it('shows nothing for a run without warnings', () => {
    expect(
      mount(RunWarnings, { props: { warnings: [] } })
        .find('[data-testid="run-warnings"]')
        .exists(),
    ).toBe(false)
  })
})
