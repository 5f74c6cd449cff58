import { describe, expect, it } from 'vitest'
import { DEFAULT_TOY, runToy } from './toy.ts'

describe('toy models of superposition', () => {
  it('recovers the features perfectly when there is room for them (m ≥ n)', async () => {
    const s = await runToy({
      ...DEFAULT_TOY,
      features: 6,
      hidden: 6,
      trainSteps: 1500,
      rotationSteps: 1500,
    })
    expect(s.model.represented).toBe(6)
    expect(s.recovery.ideal.meanMaxCos).toBeGreaterThan(0.99)
    // From a random start, the learned basis finds the features; a random basis does not.
    expect(s.recovery.learned.meanMaxCos).toBeGreaterThan(0.99)
    expect(s.recovery.learned.recovered).toBe(6)
    expect(s.recovery.random.meanMaxCos).toBeLessThan(0.9)
    expect(s.objective.end).toBeLessThan(s.objective.start)
  })

  it('recovers only part of them in superposition (m < n)', async () => {
    const s = await runToy({
      ...DEFAULT_TOY,
      features: 12,
      hidden: 4,
      probability: 0.03,
      trainSteps: 1500,
      rotationSteps: 800,
    })
    expect(s.model.represented).toBeGreaterThan(4)
    expect(s.recovery.learned.recovered).toBeLessThan(s.model.represented)
  })
})
