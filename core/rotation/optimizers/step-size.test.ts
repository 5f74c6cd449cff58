import { describe, expect, it } from 'vitest'
import { stepSize } from './step-size.ts'

describe('stepSize', () => {
  const schedule = { lr: 0.01, finalLrFraction: 0.05, warmupSteps: 20 }

  it('ramps up linearly over the warm-up steps', () => {
    expect(stepSize(schedule, 1, 0)).toBeCloseTo(0.01 / 20, 12)
    expect(stepSize(schedule, 10, 0)).toBeCloseTo(0.005, 12)
    expect(stepSize(schedule, 20, 0)).toBeCloseTo(0.01, 12)
    expect(stepSize(schedule, 200, 0)).toBeCloseTo(0.01, 12)
  })

  it('anneals by cosine to lr·finalLrFraction over the budget', () => {
    expect(stepSize(schedule, 100, 0.5)).toBeCloseTo(0.01 * (0.05 + 0.95 * 0.5), 12)
    expect(stepSize(schedule, 100, 1)).toBeCloseTo(0.0005, 12)
  })

  it('has no ramp without warm-up steps', () => {
    expect(stepSize({ lr: 0.01, finalLrFraction: 0.05 }, 1, 0)).toBe(0.01)
    expect(stepSize({ ...schedule, warmupSteps: 0 }, 1, 0)).toBe(0.01)
  })
})
