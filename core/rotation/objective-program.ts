import type { Program } from '../backend/program.ts'
import {
  type LayerInput,
  type LayerShape,
  buildJacobians,
  layerInputs,
  shapeKey,
} from '../jacobian/layer-program.ts'
import { type Measure, measureKey } from '../sparsity/measures/measure.ts'

export type ObjectiveOutput = 'value' | 'gradOut' | 'gradFactor'

/**
 * One chunk of the layer objective, fused (DESIGN.md §2): the Jacobians, the measure and
 * its derivative G = ∂S/∂J, and the two gradient contractions, in one native call:
 *   value[x]   = S(J_x)
 *   gradOut    = Σ_x G_x·Mᵀ·D_x          (the chunk's part of ∂L/∂R_out before 1/n)
 *   gradFactor = Σ_x (R_out·D_x)ᵀ·G_x    (∂L/∂R_in = gradFactorᵀ·W / n)
 */
export function objectiveProgram(
  shape: LayerShape,
  measure: Measure,
  want: { readonly out: boolean; readonly in: boolean },
): Program<LayerInput, ObjectiveOutput> {
  const outputs: ObjectiveOutput[] = [
    'value',
    ...(want.out ? (['gradOut'] as const) : []),
    ...(want.in ? (['gradFactor'] as const) : []),
  ]
  const { outDim, inDim } = shape
  return {
    key: `objective:${shapeKey(shape)}:${measureKey(measure.spec)}:${outputs.join(',')}`,
    inputs: layerInputs(shape) as Record<LayerInput, never>,
    outputs,
    build(ops, s) {
      const { j, m, p } = buildJacobians(ops, s, shape)
      const { perSample, grad } = measure.tensor(ops, j, want.out || want.in)
      const out: Partial<Record<ObjectiveOutput, typeof j>> = { value: perSample }
      if (grad && want.out) {
        const g = ops.reshape(grad, [-1, inDim])
        const h = ops.matmul(g, m, { transB: true })
        out.gradOut = shape.perInput
          ? ops.reduceSum(
              ops.mul(ops.reshape(h, [-1, outDim, outDim]), ops.expandDims(s.d!, 1)),
              [0],
            )
          : h
      }
      if (grad && want.in) {
        const g = ops.reshape(grad, [-1, inDim])
        if (p) out.gradFactor = ops.matmul(p, g, { transA: true })
        else if (shape.perInput) {
          // R_out = I: Σ_x D_x·G_x, a row scaling of each G_x.
          const g3 = ops.reshape(grad, [-1, outDim, inDim])
          out.gradFactor = ops.reduceSum(ops.mul(ops.expandDims(s.d!, 2), g3), [0])
        } else out.gradFactor = shape.rOut ? ops.matmul(s.rout!, g, { transA: true }) : g
      }
      return out as Record<ObjectiveOutput, typeof j>
    },
  }
}
