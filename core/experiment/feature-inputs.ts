import { artifactNames } from '../api/artifacts.ts'
import type { RunArtifact } from './run-context.ts'

/**
 * The pixels of each direction's top-activating inputs, [directions, top, d_0] in the
 * summary's order: clients show the digits without reading the dataset (the renderer
 * cannot). Values are the model's inputs (0..1 for MNIST).
 */
export function featureInputsArtifact(
  space: number,
  top: readonly Int32Array[],
  x: Float32Array,
  dim: number,
): RunArtifact {
  const k = top[0]?.length ?? 0
  const data = new Float32Array(top.length * k * dim)
  top.forEach((row, i) =>
    row.forEach((idx, j) => data.set(x.subarray(idx * dim, (idx + 1) * dim), (i * k + j) * dim)),
  )
  return {
    kind: 'feature-inputs',
    name: artifactNames.featureInputs(space),
    meta: { space, basis: 'learned', note: '[direction, rank, pixel]: top-activating test inputs' },
    shape: [top.length, k, dim],
    data,
  }
}
