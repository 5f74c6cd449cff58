import { beforeAll, describe, expect, it } from 'vitest'
import { initCompute } from '../backend/compute.ts'
import { gatherLabels, gatherRows, loadEmbeddedMnist, randomSplit } from '../data/index.ts'
import { accuracy, predictLogits } from './forward.ts'
import { trainMlp } from './train.ts'

describe('training', () => {
  beforeAll(async () => {
    await initCompute()
  })

  it('is deterministic for a seed and cancellable', async () => {
    const ds = loadEmbeddedMnist()
    const split = randomSplit(ds.n, 500, 100, 1)
    const x = gatherRows(ds, split.train)
    const y = gatherLabels(ds, split.train)
    const options = {
      sizes: [784, 16, 10],
      activation: 'relu' as const,
      epochs: 1,
      batchSize: 50,
      learningRate: 1e-3,
      seed: 5,
    }
    const a = await trainMlp(x, y, options)
    const b = await trainMlp(x, y, options)
    expect(Array.from(a.params.layers[0].weight)).toEqual(Array.from(b.params.layers[0].weight))
    const c = await trainMlp(x, y, { ...options, seed: 6 })
    expect(Array.from(c.params.layers[0].weight)).not.toEqual(Array.from(a.params.layers[0].weight))
    const controller = new AbortController()
    const progress: number[] = []
    await expect(
      trainMlp(
        x,
        y,
        { ...options, epochs: 3 },
        {
          signal: controller.signal,
          onProgress: (p) => {
            progress.push(p.fraction)
            if (p.batch === 3) controller.abort()
          },
        },
      ),
    ).rejects.toThrow(/cancelled/)
    expect(progress.length).toBeLessThan(10)
  })

  it('lets timers and messages through while it trains, even with epochs of a few batches', async () => {
    // Regression: the loop used to yield only every 16th batch of an epoch, so with
    // 7-batch epochs a cancel sent from another process was never seen.
    const ds = loadEmbeddedMnist()
    const split = randomSplit(ds.n, 400, 100, 1)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    const t0 = performance.now()
    await expect(
      trainMlp(
        gatherRows(ds, split.train),
        gatherLabels(ds, split.train),
        {
          sizes: [784, 12, 10],
          activation: 'relu',
          epochs: 10_000,
          batchSize: 64,
          learningRate: 1e-3,
          seed: 1,
        },
        { signal: controller.signal },
      ),
    ).rejects.toThrow(/cancelled/)
    expect(performance.now() - t0).toBeLessThan(2000)
  })

  it('the default model (784-128-128-10, 8 epochs) reaches ≥ 0.92 test accuracy on the default split', async () => {
    const ds = loadEmbeddedMnist()
    const split = randomSplit(ds.n, 8000, 2000, 0)
    const x = gatherRows(ds, split.train)
    const y = gatherLabels(ds, split.train)
    const result = await trainMlp(x, y, {
      sizes: [784, 128, 128, 10],
      activation: 'relu',
      epochs: 8,
      batchSize: 64,
      learningRate: 1e-3,
      seed: 0,
    })
    const xt = gatherRows(ds, split.test)
    const acc = accuracy(
      predictLogits(result.params, xt, split.test.length),
      gatherLabels(ds, split.test),
      10,
    )
    expect(acc).toBeGreaterThanOrEqual(0.92)
    expect(result.history).toHaveLength(8)
    expect(result.history[7].loss).toBeLessThan(result.history[0].loss)
  })
})
