import type { HeldOutMetrics } from '../api/summary.ts'
import { layerData } from '../jacobian/layer-data.ts'
import { RotatedLayer } from '../jacobian/rotated.ts'
import type { Mat } from '../linalg/matrix.ts'
import { layerIn, layerOut } from '../model/indices.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { BasisSides } from '../rotation/transform.ts'
import { type Measure, measureValue } from '../sparsity/measures/index.ts'
import { rowFanIn } from '../sparsity/metrics/fan-in.ts'
import { hoyerSparsity } from '../sparsity/metrics/hoyer-sparsity.ts'
import { nearZero } from '../sparsity/metrics/near-zero.ts'

/**
 * One input's layer Jacobians, the post's figure (DESIGN.md §4, input explorer): for each
 * weight layer k, J_k(x) = T_k·D_k(x)·W_k·T_{k-1}⁻¹ in the neuron basis (all T = I) and in
 * the run's learned bases (R_k·D·W·R_{k-1}ᵀ for rotations), with the held-out metrics of
 * DESIGN.md §1 evaluated on this one J instead of averaged over inputs.
 */

/** One layer of one input in both bases, row-major [rows × cols] float32. */
export interface InputLayerJacobians {
  /** 1-based weight-layer index. */
  readonly layer: number
  readonly rows: number
  readonly cols: number
  readonly neuron: Float32Array
  readonly learned: Float32Array
}

/** J_k of one input in bases whose sides are (rIn, rOut): J = rOut·D(x)·W·rInᵀ. */
function jacobianIn(
  data: ReturnType<typeof layerData>[number],
  rIn: Mat | null,
  rOut: Mat | null,
): Float32Array {
  const layer = new RotatedLayer(data, rIn, rOut)
  try {
    // A copy: a backend may hand back an array it reuses once the tensor is gone.
    return Float32Array.from(layer.jacobians(data.derivatives, 1))
  } finally {
    layer.dispose()
  }
}

/**
 * Every layer's J(x) for the single input `x` (one row of d_0 values) in the neuron basis
 * and in the bases whose sides are `sides` (see `changeSides`: T on the writing side, T⁻ᵀ on
 * the reading side, R on both for rotations).
 */
export function inputJacobians(
  params: MlpParams,
  sides: BasisSides,
  x: Float32Array,
): InputLayerJacobians[] {
  if (x.length !== params.sizes[0]) {
    throw new Error(`inputJacobians: an input has ${params.sizes[0]} values, got ${x.length}`)
  }
  return layerData(params, x, 1).map((data) => {
    const k = data.layer
    return {
      layer: k,
      rows: data.outDim,
      cols: data.inDim,
      neuron: jacobianIn(data, null, null),
      learned: jacobianIn(data, sides.in[layerIn(k)] ?? null, sides.out[layerOut(k)] ?? null),
    }
  })
}

/**
 * The held-out metrics of DESIGN.md §1 on one Jacobian: nearZero (entries under
 * threshold·max|J|), Hoyer's sparsity, the measure S(J), and the mean effective fan-in over
 * the rows that are not zero (a dead unit has none); 0 when every row is zero.
 */
export function jacobianMetrics(
  j: Float32Array,
  rows: number,
  cols: number,
  measure: Measure,
  threshold: number,
): HeldOutMetrics {
  let fanSum = 0
  let live = 0
  for (let i = 0; i < rows; i++) {
    const f = rowFanIn(j, i * cols, cols)
    if (f === null) continue
    fanSum += f
    live++
  }
  return {
    nearZero: nearZero(j, 0, j.length, threshold),
    hoyerSparsity: hoyerSparsity(j),
    measure: measureValue(measure, j),
    fanIn: live > 0 ? fanSum / live : 0,
  }
}

/** max |J_ij|: what the explorer's maps are normalized by. */
export function maxAbs(j: ArrayLike<number>): number {
  let m = 0
  for (let e = 0; e < j.length; e++) m = Math.max(m, Math.abs(j[e]))
  return m
}
