import type { MlpParams } from '../model/mlp.ts'
import { forward } from '../model/forward.ts'
import { type Layer, type Space, atLayer, layerAt, writerOf } from '../model/indices.ts'

/**
 * What the rotated Jacobian of weight layer k needs about a set of inputs:
 * J_k(x) = R_k · D_k(x) · W_k · R_{k-1}ᵀ. For the logit layer D_L = I, so J_L is the
 * same at every input and `derivatives` is null (one "sample" stands for all).
 */
export interface LayerData {
  readonly layer: Layer
  readonly inDim: number
  readonly outDim: number
  readonly weight: Float32Array
  /** σ'(z_k(x)) for each input, [n, outDim]; null for the logit layer. */
  readonly derivatives: Float32Array | null
  /** Number of inputs the data describes. */
  readonly n: number
}

export function layerData(params: MlpParams, x: Float32Array, n: number): LayerData[] {
  const { derivatives } = forward(params, x, n, { derivatives: true })
  const L = params.layers.length
  return params.layers.map((l, i) => ({
    layer: layerAt(i),
    inDim: l.inDim,
    outDim: l.outDim,
    weight: l.weight,
    derivatives: i < L - 1 ? derivatives[i] : null,
    n,
  }))
}

/** The same layer restricted to some of its inputs (minibatches, generalization subsets). */
export function subsetLayerData(data: LayerData, indices: readonly number[]): LayerData {
  if (!data.derivatives) return { ...data, n: indices.length }
  const d = data.outDim
  const out = new Float32Array(indices.length * d)
  indices.forEach((idx, row) =>
    out.set(data.derivatives!.subarray(idx * d, (idx + 1) * d), row * d),
  )
  return { ...data, derivatives: out, n: indices.length }
}

/** The width of space s from the layers' data: what its writer puts out (layer 1's input for s = 0). */
export function spaceWidth(data: readonly LayerData[], s: Space): number {
  return s === 0 ? data[0].inDim : atLayer(data, writerOf(s)).outDim
}
