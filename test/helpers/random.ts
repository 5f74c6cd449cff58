import { type Mat, sub, transpose, zeros } from '../../core/linalg/matrix.ts'
import type { Activation, MlpParams } from '../../core/model/mlp.ts'
import type { Rng } from '../../core/random/prng.ts'

/** Seeded random fixtures shared by the tests. */
export function gaussian(rows: number, cols: number, rng: Rng, sigma = 1): Mat {
  const m = zeros(rows, cols)
  for (let i = 0; i < m.data.length; i++) m.data[i] = sigma * rng.normal()
  return m
}

export function randomSkew(n: number, rng: Rng, sigma = 1): Mat {
  const a = gaussian(n, n, rng, sigma)
  return sub(a, transpose(a))
}

/** A small MLP with weights scaled so activations neither die nor saturate. */
export function randomMlp(sizes: readonly number[], activation: Activation, rng: Rng): MlpParams {
  const layers = sizes.slice(1).map((outDim, i) => {
    const inDim = sizes[i]
    const weight = Float32Array.from(
      { length: outDim * inDim },
      () => (1.2 * rng.normal()) / Math.sqrt(inDim),
    )
    const bias = Float32Array.from({ length: outDim }, () => 0.3 * rng.normal())
    return { inDim, outDim, weight, bias }
  })
  return { sizes: [...sizes], activation, layers }
}
