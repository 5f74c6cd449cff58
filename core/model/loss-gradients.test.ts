import { beforeAll, describe, expect, it } from 'vitest'
import { executor, initCompute } from '../backend/compute.ts'
import { type Feed, type InputSpec, type Program, feedOf } from '../backend/program.ts'
import { createRng } from '../random/prng.ts'
import type { Activation } from './mlp.ts'
import { initialLayers, lossGradients } from './train.ts'

beforeAll(async () => {
  await initCompute()
})

describe('lossGradients', () => {
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
})
