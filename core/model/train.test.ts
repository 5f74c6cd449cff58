import { beforeAll, describe, expect, it } from 'vitest'
import { initCompute } from '../backend/compute.ts'
import { executor } from '../backend/compute.ts'
import { type Feed, type InputSpec, type Program, feedOf } from '../backend/program.ts'
import { gatherLabels, gatherRows, loadEmbeddedMnist, randomSplit } from '../data/index.ts'
import { accuracy, predictLogits } from './forward.ts'
import { createRng } from '../random/prng.ts'
import type { Activation } from './mlp.ts'
import { initialLayers, lossGradients, trainMlp } from './train.ts'

describe('training', () => {
  beforeAll(async () => {
    await initCompute()
  })

  it.each<Activation>(['relu', 'tanh', 'gelu'])(
    'hand-written backprop matches finite differences of the loss (%s)',
    (activation) => {
      const sizes = [6, 5, 4, 3]
      const layers = initialLayers(sizes, 3)
      const rng = createRng(11)
      const batch = 4
      const x = Float32Array.from({ length: batch * sizes[0] }, () => rng.normal())
      const y = new Float32Array(batch * 3)
      ;[0, 2, 1, 2].forEach((c, r) => (y[r * 3 + c] = 1))
      const inputs: Record<string, InputSpec> = {
        x: { shape: [batch, 6] },
        y: { shape: [batch, 3] },
        invBatch: { shape: [1] },
      }
      layers.forEach((l, i) => {
        inputs[`w${i}`] = { shape: [l.outDim, l.inDim] }
        inputs[`b${i}`] = { shape: [l.outDim] }
      })
      const program: Program<string, string> = {
        key: `test-loss-gradients-${activation}`,
        inputs,
        outputs: ['loss', ...layers.flatMap((_, i) => [`gw${i}`, `gb${i}`])],
        build(ops, s) {
          const ls = layers.map((_, i) => ({ weight: s[`w${i}`], bias: s[`b${i}`] }))
          const r = lossGradients(ops, s.x, s.y, s.invBatch, ls, activation)
          const out: Record<string, (typeof r)['loss']> = { loss: r.loss }
          r.grads.forEach((g, i) => {
            out[`gw${i}`] = g.weight
            out[`gb${i}`] = g.bias
          })
          return out
        },
      }
      const params = layers.flatMap((l, i) => [
        [`w${i}`, Float32Array.from(l.weight)] as const,
        [`b${i}`, Float32Array.from(l.bias)] as const,
      ])
      const run = () => {
        const feeds: Record<string, Feed> = {
          x: { data: x, shape: [batch, 6] },
          y: { data: y, shape: [batch, 3] },
          invBatch: { data: Float32Array.of(1 / batch), shape: [1] },
        }
        for (const [name, v] of params) feeds[name] = feedOf(v, inputs[name])
        return executor().run(program, feeds)
      }
      const grads = run()
      const h = 1e-2
      for (const [k, [name, values]] of params.entries()) {
        const analytic = grads[`g${name}`]
        for (const idx of [0, Math.floor(values.length / 2), values.length - 1]) {
          const saved = values[idx]
          values[idx] = saved + h
          const up = run().loss[0]
          values[idx] = saved - h
          const down = run().loss[0]
          values[idx] = saved
          expect(
            Math.abs((up - down) / (2 * h) - analytic[idx]),
            `param ${k} entry ${idx}`,
          ).toBeLessThan(2e-3 + 2e-2 * Math.abs(analytic[idx]))
        }
      }
    },
  )

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
