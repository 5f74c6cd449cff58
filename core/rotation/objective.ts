import { executor, isNative } from '../backend/compute.ts'
import type { LayerData } from '../jacobian/layer-data.ts'
import type { Feed } from '../backend/program.ts'
import {
  type LayerInput,
  forEachLayerChunk,
  layerFeeds,
  layerShape,
} from '../jacobian/layer-program.ts'
import { RotatedLayer, forEachChunk } from '../jacobian/rotated.ts'
import { type Mat, mat, matmulTN } from '../linalg/matrix.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import { objectiveProgram } from './objective-program.ts'

export interface LayerObjective {
  /** L_k = mean over the inputs of S(J_k(x)). */
  readonly value: number
  /** ∂L_k/∂R_k (Euclidean), when asked for. */
  readonly gradOut: Mat | null
  /** ∂L_k/∂R_{k-1} (Euclidean), when asked for. */
  readonly gradIn: Mat | null
}

/** Sums over all inputs, before the 1/n of the mean. */
interface ObjectiveSums {
  total: number
  readonly out: Float64Array | null
  readonly factor: Float64Array | null
}

/**
 * The layer objective L = mean_x S(J(x)) and its gradients (DESIGN.md §2):
 *   ∂L/∂R_out = (1/n) Σ_x G_x·Mᵀ·D_x                 (G_x = ∂S/∂J at x, M = W·R_inᵀ)
 *   ∂L/∂R_in  = (1/n) Σ_x G_xᵀ·R_out·D_x·W
 * each a dense matmul over the stacked chunk, fused with the measure into one native call
 * per chunk when the native backend is active. `rIn`/`rOut` null mean the fixed identity
 * (pixels, logits).
 */
export function layerObjective(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  want: { in: boolean; out: boolean },
): LayerObjective {
  const { outDim, inDim } = data
  const sums: ObjectiveSums = {
    total: 0,
    out: want.out ? new Float64Array(outDim * outDim) : null,
    factor: want.in ? new Float64Array(outDim * inDim) : null,
  }
  if (isNative()) nativeSums(data, rIn, rOut, measure, sums)
  else tfjsSums(data, rIn, rOut, measure, sums)
  const n = data.derivatives ? data.n : 1
  const averaged = (acc: Float64Array | null, rows: number, cols: number): Mat | null =>
    acc
      ? mat(
          rows,
          cols,
          acc.map((v) => v / n),
        )
      : null
  const factor = averaged(sums.factor, outDim, inDim)
  return {
    value: sums.total / n,
    gradOut: averaged(sums.out, outDim, outDim),
    gradIn: factor ? matmulTN(factor, mat(outDim, inDim, data.weight)) : null,
  }
}

function addInto(acc: Float64Array, values: Float32Array): void {
  for (let e = 0; e < acc.length; e++) acc[e] += values[e]
}

function nativeSums(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  sums: ObjectiveSums,
): void {
  const program = objectiveProgram(layerShape(data, rIn, rOut), measure, {
    out: sums.out !== null,
    in: sums.factor !== null,
  })
  // The layer's inputs depend on its shape: the program asks for exactly these.
  const fixed = layerFeeds(data, rIn, rOut) as Record<LayerInput, Feed>
  const run = executor()
  forEachLayerChunk(data, (d) => {
    const r = run.run(program, d ? { ...fixed, d } : fixed)
    for (const v of r.value) sums.total += v
    if (sums.out) addInto(sums.out, r.gradOut)
    if (sums.factor) addInto(sums.factor, r.gradFactor)
  })
}

/** The TensorFlow.js kernels: tfjs matmuls, the measure's fused loop in between. */
function tfjsSums(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  sums: ObjectiveSums,
): void {
  const layer = new RotatedLayer(data, rIn, rOut)
  const size = data.outDim * data.inDim
  try {
    forEachChunk(data, (d, count) => {
      const j = layer.jacobians(d, count)
      const per = new Float64Array(count)
      const g = sums.out || sums.factor ? new Float32Array(count * size) : null
      measure.evaluate(j, count, size, per, g)
      for (const v of per) sums.total += v
      if (g && sums.out) layer.accumulateGradOut(g, d, count, sums.out)
      if (g && sums.factor) layer.accumulateGradInFactor(g, d, count, sums.factor)
    })
  } finally {
    layer.dispose()
  }
}
