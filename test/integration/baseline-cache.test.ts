import { describe, expect, it } from 'vitest'
import type { RunCache } from '../../core/experiment/baseline-cache.ts'
import { parseRunConfig } from '../../core/experiment/config.ts'
import { runPipeline } from '../../core/experiment/pipeline.ts'

const config = (rotation: Record<string, unknown> = {}) =>
  parseRunConfig({
    data: { source: 'mnist-embedded', split: { kind: 'random', train: 400, test: 150, seed: 4 } },
    model: { source: 'train', hidden: [12, 10], epochs: 2, learningRate: 0.005 },
    rotation: { samples: 60, maxSteps: 10, budgetSeconds: 20, ...rotation },
  })

function memoryCache(): RunCache & { entries: Map<string, unknown>; sets: number } {
  const entries = new Map<string, unknown>()
  const cache = {
    entries,
    sets: 0,
    get: (k: string) => entries.get(k),
    set: (k: string, v: unknown) => {
      cache.sets++
      entries.set(k, v)
    },
  }
  return cache
}

async function run(c: ReturnType<typeof config>, cache: RunCache) {
  return { s: await runPipeline(c, { outDir: null, cache }) }
}

describe('the baseline cache', () => {
  it('computes the baselines of a model once and reuses them, to the same numbers', async () => {
    const cache = memoryCache()
    const first = await run(config(), cache)
    expect(cache.entries.size).toBe(1)
    expect(cache.sets).toBe(1)
    const second = await run(config({ init: 'random' }), cache)
    // Found, not computed again.
    expect(cache.entries.size).toBe(1)
    expect(cache.sets).toBe(1)
    expect([first.s.analyses.baselinesFromCache, second.s.analyses.baselinesFromCache]).toEqual([
      false,
      true,
    ])
    // Same model, data and inputs: the same baseline numbers; the learned basis is the run's own.
    const strip = (s: typeof first.s) =>
      s.analyses.baselines!.map((r) => {
        const { learned: _learned, ...rest } = r.bases
        return rest
      })
    expect(strip(second.s)).toEqual(strip(first.s))
    expect(second.s.analyses.lib).toEqual(first.s.analyses.lib)
  })

  it('misses when what the baselines depend on changes, and on a damaged entry', async () => {
    const cache = memoryCache()
    await run(config(), cache)
    const [key] = cache.entries.keys()
    // Another measure: other metrics, another key.
    await run(config({ measure: { name: 'l1' } }), cache)
    expect(cache.entries.size).toBe(2)
    cache.entries.set(key, { rows: 'not rows' })
    const sets = cache.sets
    await run(config(), cache)
    expect(cache.sets).toBe(sets + 1)
    expect(cache.entries.get(key)).toHaveProperty('lib')
  })
})
