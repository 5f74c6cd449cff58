import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../api/run-config.ts'
import { EtaModel, type ProgressEvent, progressReporter } from './progress.ts'

describe('the ETA model', () => {
  const config = {
    ...defaultConfig(),
    rotation: { ...defaultConfig().rotation, budgetSeconds: 10 },
  }

  it('expects the rotation phase to take its stages’ budgets', () => {
    const eta = new EtaModel(config, 2)
    const start = eta.estimate('rotate', 0)
    const half = eta.estimate('rotate', 0.5)
    // Half the rotation phase is 10 of its 20 s: the time left drops by exactly that.
    expect(start.remaining - half.remaining).toBeCloseTo(10, 6)
    expect(half.fraction).toBeGreaterThan(start.fraction)
  })

  it('learns from the run: training paced by its batches, later evaluations by the first', () => {
    const eta = new EtaModel(config, 2)
    eta.trainingPace(0.5, 3) // half of training in 3 s: 6 s in all
    const training = eta.estimate('train', 0.5).remaining
    eta.finished('data', 0.1)
    eta.finished('train', 6)
    eta.finished('evaluate', 4) // the learned bases and the baselines cost as much each
    const atRotate = eta.estimate('rotate', 0)
    // rotate 20 + verify 4 + analyses (5 baseline evaluations × 4) + save.
    expect(atRotate.remaining).toBeCloseTo(20 + 4 + 20 + 0.2, 6)
    expect(training).toBeGreaterThan(3)
  })

  it('never reports going back, and ends at 1 with nothing left', () => {
    const events: ProgressEvent[] = []
    const eta = new EtaModel(config, 2)
    const report = progressReporter((e) => events.push(e), eta, 0)
    report('evaluate', 0.9, 'a')
    eta.finished('evaluate', 100) // a much slower evaluation than expected: later work grows
    report('verify', 0, 'b')
    report('save', 1, 'done')
    expect(events[1].fraction).toBeGreaterThanOrEqual(events[0].fraction)
    expect(events.at(-1)).toMatchObject({ fraction: 1, etaSeconds: 0 })
  })
})
