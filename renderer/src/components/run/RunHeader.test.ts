// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import { runRecord } from '../../test/fake-transport.ts'
import RunHeader from './RunHeader.vue'

const fact = (w: ReturnType<typeof mount>, label: string) =>
  w
    .findAll('.fact')
    .map((f) => f.text())
    .find((t) => t.toLowerCase().startsWith(label))

describe('RunHeader', () => {
  const run = runRecord(1, { configSummary: { samples: 1000 } })

  it('shows the objective inputs a finished run used, not only what its config asked', () => {
    // A default of 1000 is capped to a 300-input split (issue 13's count rule).
    const summary = {
      data: { objectiveSamples: 300 },
      model: { layers: [784, 12, 8, 10] },
    } as unknown as StoredRunSummary
    expect(fact(mount(RunHeader, { props: { run, summary } }), 'objective inputs')).toContain('300')
  })

  it('shows the config value while there is no summary yet', () => {
    expect(fact(mount(RunHeader, { props: { run, summary: null } }), 'objective inputs')).toContain(
      '1000',
    )
  })
})
