import { beforeAll, describe, expect, it } from 'vitest'
import { initCompute } from '../../backend/compute.ts'
import type { LayerData } from '../../jacobian/layer-data.ts'
import { identity, orthogonalityError } from '../../linalg/matrix.ts'
import { createRng } from '../../random/prng.ts'
import { INIT_KINDS, type InitContext, initialRotation } from './index.ts'
import { asLayer } from '../../model/indices.ts'

beforeAll(async () => {
  await initCompute()
})

function layer(): LayerData {
  const rng = createRng(4)
  const [outDim, inDim, n] = [6, 9, 30]
  return {
    layer: asLayer(2),
    inDim,
    outDim,
    weight: Float32Array.from({ length: outDim * inDim }, () => rng.normal()),
    derivatives: Float32Array.from({ length: n * outDim }, () => (rng.next() < 0.4 ? 0 : 1)),
    n,
  }
}

function contexts(): Record<'out' | 'in', InitContext> {
  const rng = createRng(5)
  const data = layer()
  const acts = (d: number) => Float32Array.from({ length: 50 * d }, () => rng.normal())
  return {
    out: { dim: 6, rng: createRng(1), activations: acts(6), layer: data, side: 'out' },
    in: { dim: 9, rng: createRng(2), activations: acts(9), layer: data, side: 'in' },
  }
}

describe('initialRotation', () => {
  it.each(INIT_KINDS)('%s returns an orthogonal matrix of the right size (both sides)', (kind) => {
    for (const ctx of Object.values(contexts())) {
      const r = initialRotation(kind, ctx)
      expect([r.rows, r.cols]).toEqual([ctx.dim, ctx.dim])
      expect(orthogonalityError(r)).toBeLessThanOrEqual(1e-10)
    }
  })

  it('identity is the identity; random is seeded', () => {
    const ctx = contexts().out
    expect(initialRotation('identity', ctx).data).toEqual(identity(6).data)
    const a = initialRotation('random', { dim: 6, rng: createRng(9) })
    const b = initialRotation('random', { dim: 6, rng: createRng(9) })
    expect(a.data).toEqual(b.data)
    expect(a.data).not.toEqual(identity(6).data)
  })

  it('varimax with several starts keeps the best and is deterministic', () => {
    const ctx: InitContext = { ...contexts().out, varimaxStarts: 4, varimax: { source: 'stacked' } }
    const a = initialRotation('varimax', { ...ctx, rng: createRng(3) })
    const b = initialRotation('varimax', { ...ctx, rng: createRng(3) })
    expect(a.data).toEqual(b.data)
    expect(orthogonalityError(a)).toBeLessThanOrEqual(1e-10)
  })

  it('names what is missing or mismatched', () => {
    expect(() => initialRotation('random', { dim: 3 })).toThrow(/needs an rng/)
    expect(() => initialRotation('pca', { dim: 3 })).toThrow(/needs activations/)
    expect(() => initialRotation('pca', { dim: 4, activations: new Float32Array(6) })).toThrow(
      /not rows of width 4/,
    )
    expect(() => initialRotation('jtj', { dim: 6 })).toThrow(/needs layer data/)
    expect(() => initialRotation('jtj', { dim: 6, layer: layer() })).toThrow(/needs a side/)
    expect(() => initialRotation('jtj', { dim: 6, layer: layer(), side: 'in' })).toThrow(
      /input width is 9, not 6/,
    )
    expect(() =>
      initialRotation('varimax', { dim: 6, layer: layer(), side: 'out', varimaxStarts: 2 }),
    ).toThrow(/rng/)
  })
})
