import { describe, expect, it } from 'vitest'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import { PHASES, phaseBreakdown } from './phases.ts'

describe('phases', () => {
  it('lists the phases in the order the summary schema has them', () => {
    expect(PHASES).toEqual(['data', 'train', 'evaluate', 'rotate', 'verify', 'analyses', 'save'])
  })

  it('breaks a run’s time down by phase, in pipeline order', () => {
    const s = { phases: { save: 1, rotate: 6, train: 3 } } as unknown as StoredRunSummary
    expect(phaseBreakdown(s)!.map((p) => [p.phase, p.label, p.share])).toEqual([
      ['train', 'train', 0.3],
      ['rotate', 'rotate', 0.6],
      ['save', 'save', 0.1],
    ])
    expect(phaseBreakdown({} as StoredRunSummary)).toBeNull()
  })
})
