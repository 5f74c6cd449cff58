import { describe, expect, it } from 'vitest'
import { defaultConfig, seedConfigs } from './run-config.ts'
import { aggregateMetrics, differsBeyondNoise } from './run-views.ts'

describe('seed groups', () => {
  it('expands a config into one run per seed, each recorded with its own seed', () => {
    const base = { ...defaultConfig(), name: 'study', seed: 7, seeds: 3 }
    const runs = seedConfigs(base)
    expect(runs.map((c) => [c.seed, c.seeds, c.name])).toEqual([
      [7, 1, 'study · seed 7'],
      [8, 1, 'study · seed 8'],
      [9, 1, 'study · seed 9'],
    ])
    expect(seedConfigs(defaultConfig())).toEqual([defaultConfig()])
  })

  it('varies an explicit model seed with the run seed', () => {
    const base = defaultConfig()
    const withModelSeed = {
      ...base,
      seeds: 2,
      model: { ...(base.model as Extract<typeof base.model, { source: 'train' }>), seed: 40 },
    }
    expect(seedConfigs(withModelSeed).map((c) => (c.model as { seed?: number }).seed)).toEqual([
      40, 41,
    ])
  })

  it('aggregates every metric (mean, sample sd, count) and tells a difference from noise', () => {
    const agg = aggregateMetrics([{ a: 1, b: 10 }, { a: 3, b: 10 }, { a: 2 }])
    expect(agg.a).toEqual({ mean: 2, sd: 1, n: 3 })
    expect(agg.b).toEqual({ mean: 10, sd: 0, n: 2 })
    const far = { mean: 5, sd: 0.1, n: 5 }
    const near = { mean: 5.05, sd: 0.1, n: 5 }
    expect(differsBeyondNoise({ mean: 4, sd: 0.1, n: 5 }, far)).toBe(true)
    expect(differsBeyondNoise(near, far)).toBe(false)
    expect(differsBeyondNoise({ mean: 1, sd: 0, n: 1 }, far)).toBeNull()
  })
})
