import { describe, expect, it } from 'vitest'
import { parseRunConfig } from '../../core/experiment/config.ts'
import { type MetricRecord, runPipeline } from '../../core/experiment/pipeline.ts'

describe('the random-network control', () => {
  it('learns bases the same way for an untrained network of the same shape and reports both gains', async () => {
    const config = parseRunConfig({
      data: { source: 'mnist-embedded', split: { kind: 'random', train: 400, test: 200, seed: 3 } },
      model: { source: 'train', hidden: [16, 12], epochs: 3, learningRate: 0.005 },
      rotation: { samples: 80, maxSteps: 25, budgetSeconds: 20 },
      analyses: { baselines: false, control: { budgetSeconds: 5 } },
    })
    const metrics: MetricRecord[] = []
    const s = await runPipeline(config, { outDir: null, onMetric: (m) => metrics.push(m) })
    const control = s.analyses.control!
    expect(control.budgetSeconds).toBe(5)
    expect(control.layers.map((l) => l.layer)).toEqual([1, 2, 3])
    control.layers.forEach((l, i) => {
      // The trained side is the run's own before/after.
      expect(l.trained.learned).toEqual(s.rotation.layers[i].heldOut.after)
      expect(l.trained.neuron).toEqual(s.rotation.layers[i].heldOut.before)
      // An untrained network is a different function: its Jacobians differ.
      expect(l.random.neuron.measure).not.toBeCloseTo(l.trained.neuron.measure, 3)
    })
    // The control's optimization is recorded apart from the run's own series.
    const keys = new Set(metrics.map((m) => m.key))
    expect(keys.has('control.objective.layer1')).toBe(true)
    expect(keys.has('objective.layer1')).toBe(true)
    expect(
      [...keys].filter((k) => k.startsWith('control.')).every((k) => !k.includes('train')),
    ).toBe(true)
  })
})
