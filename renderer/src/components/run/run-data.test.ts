import { describe, expect, it } from 'vitest'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import { exampleSummary as summary } from '../../test/run-summary.ts'
import { configValue, functionPreserved, layerTitle, sparser, spaceName } from './run-data.ts'

describe('run-data', () => {
  it('reads config paths and names spaces and layers', () => {
    expect(configValue(summary.config, 'analyses.features.top')).toBe(9)
    expect(configValue(summary.config, 'analyses.circuit')).toBeUndefined()
    expect(configValue(null, 'a')).toBeUndefined()
    expect([0, 1, 2].map((s) => spaceName(s, 2))).toEqual(['input', 'hidden 1', 'logits'])
    expect(layerTitle(1, 2)).toBe('Layer 1 · input → hidden 1')
  })

  it('knows which direction is sparser per metric', () => {
    expect(sparser('nearZero', 0.2, 0.4)).toBe(true)
    expect(sparser('measure', 100, 80)).toBe(true)
    expect(sparser('fanIn', 2, 3)).toBe(false)
    expect(sparser('hoyerSparsity', 0.1, 0.1)).toBeNull()
  })

  it('passes function preservation only with tiny logit differences and equal accuracy', () => {
    expect(functionPreserved(summary.functionPreservation)).toBe(true)
    const off = (f: Partial<StoredRunSummary['functionPreservation']>) => ({
      ...summary.functionPreservation,
      ...f,
    })
    expect(functionPreserved(off({ maxAbsLogitDiff: 2e-3 }))).toBe(false)
    expect(functionPreserved(off({ accuracyAfter: 0.89 }))).toBe(false)
  })
})
