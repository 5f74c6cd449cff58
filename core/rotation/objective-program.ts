import type { Program } from '../backend/program.ts'
import type { TensorOps } from '../backend/tensor-ops.ts'
import {
  type LayerInput,
  type LayerJacobians,
  type LayerShape,
  buildJacobians,
  layerInputs,
  shapeKey,
} from '../jacobian/layer-program.ts'
import { type Measure, type SquareForm, measureKey } from '../sparsity/measures/measure.ts'

export type ObjectiveOutput = 'value' | 'gradOut' | 'gradFactor'
export type GradientOutput = 'gradOut' | 'gradFactor'

/** Which Euclidean gradients a program computes: ∂/∂R_out, and the factor of ∂/∂R_in. */
export interface GradientWant {
  readonly out: boolean
  readonly in: boolean
}

function gradientOutputs(want: GradientWant): GradientOutput[] {
  return [
    ...(want.out ? (['gradOut'] as const) : []),
    ...(want.in ? (['gradFactor'] as const) : []),
  ]
}

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
  want: GradientWant,
): Program<LayerInput, ObjectiveOutput> {
  const outputs: ObjectiveOutput[] = ['value', ...gradientOutputs(want)]
  return {
    key: `objective:${shapeKey(shape)}:${measureKey(measure.spec)}:${outputs.join(',')}`,
    inputs: layerInputs(shape) as Record<LayerInput, never>,
    outputs,
    build(ops, s) {
      const jac = buildJacobians(ops, s, shape)
      const { perSample, grad } = measure.tensor(ops, jac.j, want.out || want.in)
      return { value: perSample, ...contractions(ops, s, shape, jac, grad, want) } as Record<
        ObjectiveOutput,
        typeof perSample
      >
    },
  }
}

/**
 * The edge term's first pass over a chunk of virtual inputs (core/sparsity/measures/edge.ts):
 * moments = Σ_k J_k ⊙ J_k, [d_out·d_in]; summed over chunks it is E.
 */
export function edgeMomentsProgram(shape: LayerShape): Program<LayerInput, 'moments'> {
  return {
    key: `edge-moments:${shapeKey(shape)}`,
    inputs: layerInputs(shape) as Record<LayerInput, never>,
    outputs: ['moments'],
    build(ops, s) {
      const { j } = buildJacobians(ops, s, shape)
      return { moments: ops.reduceSumSquare(j, [0]) }
    },
  }
}

/**
 * The gradient of Σ_ij g_ij·E_ij / 2 over a chunk of virtual inputs, for a fixed weight
 * matrix g ([d_out·d_in], fed): ∂/∂J_k = g ⊙ J_k, contracted as in `objectiveProgram`.
 * With g = 2·ψ'(E) it is the edge term's gradient; with g fixed at an anchor, IRLS's.
 */
export function weightedSquareGradientProgram(
  shape: LayerShape,
  want: GradientWant,
): Program<LayerInput | 'g', GradientOutput> {
  return {
    key: `weighted-square-gradient:${shapeKey(shape)}:${gradientOutputs(want).join(',')}`,
    inputs: {
      ...(layerInputs(shape) as Record<LayerInput, never>),
      g: { shape: [shape.outDim * shape.inDim] },
    },
    outputs: gradientOutputs(want),
    build(ops, s) {
      const jac = buildJacobians(ops, s, shape)
      return contractions(ops, s, shape, jac, ops.mul(jac.j, s.g), want) as Record<
        GradientOutput,
        typeof jac.j
      >
    },
  }
}

export type MajorizerOutput = 'value' | 'objective' | GradientOutput

/**
 * IRLS's majorizer of a per-input measure S(J) = Σ ψ(J²) at anchor bases (ψ concave):
 * ψ(u) ≤ ψ(u₀) + ψ'(u₀)·(u − u₀), so with w = ψ'(J₀²) (J₀ = the Jacobian at the anchor
 * bases `rin0`/`rout0`, recomputed here rather than stored: n·d_out·d_in weights would not
 * fit for layer 1) one chunk gives
 *   value[x]     = Σ w_x ⊙ J_x²          (the majorizer without its constant)
 *   objective[x] = S(J_x)                 (the true measure at the same point)
 * and the gradients of Σ_x value[x] (∂/∂J = 2·w ⊙ J), contracted as in `objectiveProgram`.
 */
export function majorizerProgram(
  shape: LayerShape,
  measure: Measure,
  want: GradientWant,
): Program<LayerInput | 'rin0' | 'rout0', MajorizerOutput> {
  const square = measure.square
  if (!square?.tensorSlope) {
    throw new Error(`${measure.spec.name} has no quadratic majorizer (IRLS needs lp or log)`)
  }
  const slope = square.tensorSlope
  const inputs = layerInputs(shape) as Record<LayerInput, never>
  const outputs: MajorizerOutput[] = ['value', 'objective', ...gradientOutputs(want)]
  return {
    key: `majorizer:${shapeKey(shape)}:${measureKey(measure.spec)}:${outputs.join(',')}`,
    inputs: {
      ...inputs,
      ...(shape.rIn ? { rin0: inputs.rin } : {}),
      ...(shape.rOut ? { rout0: inputs.rout } : {}),
    } as Record<LayerInput | 'rin0' | 'rout0', never>,
    outputs,
    build(ops, s) {
      const jac = buildJacobians(ops, s, shape)
      const anchor = buildJacobians(ops, { ...s, rin: s.rin0, rout: s.rout0 }, shape).j
      const w = anchorWeights(ops, slope, anchor)
      const sq = ops.mul(jac.j, jac.j)
      const grad = want.out || want.in ? ops.mul(ops.mul(w, jac.j), 2) : null
      return {
        value: ops.reduceSum(ops.mul(w, sq), [1]),
        objective: measure.tensor(ops, jac.j, false).perSample,
        ...contractions(ops, s, shape, jac, grad, want),
      } as Record<MajorizerOutput, typeof sq>
    },
  }
}

function anchorWeights<T>(ops: TensorOps<T>, slope: NonNullable<SquareForm['tensorSlope']>, j0: T) {
  return slope(ops, ops.mul(j0, j0))
}

/**
 * Σ_x G_x·Mᵀ·D_x and Σ_x (R_out·D_x)ᵀ·G_x for G = ∂/∂J of the chunk ([c × d_out·d_in]),
 * the parts of ∂/∂R_out and of the factor of ∂/∂R_in the programs above return.
 */
function contractions<T>(
  ops: TensorOps<T>,
  s: Readonly<Partial<Record<LayerInput, T>>>,
  shape: LayerShape,
  { m, p }: LayerJacobians<T>,
  grad: T | null,
  want: GradientWant,
): Partial<Record<GradientOutput, T>> {
  const { outDim, inDim } = shape
  const out: Partial<Record<GradientOutput, T>> = {}
  if (!grad) return out
  const g = ops.reshape(grad, [-1, inDim])
  if (want.out) {
    const h = ops.matmul(g, m, { transB: true })
    out.gradOut = shape.perInput
      ? ops.reduceSum(ops.mul(ops.reshape(h, [-1, outDim, outDim]), ops.expandDims(s.d!, 1)), [0])
      : h
  }
  if (want.in) {
    if (p) out.gradFactor = ops.matmul(p, g, { transA: true })
    else if (shape.perInput) {
      // R_out = I: Σ_x D_x·G_x, a row scaling of each G_x.
      const g3 = ops.reshape(grad, [-1, outDim, inDim])
      out.gradFactor = ops.reduceSum(ops.mul(ops.expandDims(s.d!, 2), g3), [0])
    } else out.gradFactor = shape.rOut ? ops.matmul(s.rout!, g, { transA: true }) : g
  }
  return out
}
