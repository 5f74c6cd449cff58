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
import { type Mat, axpby, mat, matmulTN, scale } from '../linalg/matrix.ts'
import { edgeTerm, virtualInputs } from '../sparsity/measures/edge.ts'
import type { Measure, SquareForm } from '../sparsity/measures/index.ts'
import {
  type GradientWant,
  edgeMomentsProgram,
  majorizerProgram,
  objectiveProgram,
  weightedSquareGradientProgram,
} from './objective-program.ts'

export interface LayerObjective {
  /** L_k = α·mean over the inputs of S(J_k(x)) + β·Σ_ij ψ(E_ij) (the measure's mix). */
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
 * The layer objective (DESIGN.md §1): α·mean_x S(J(x)) + β·Σ_ij ψ(E_ij) with the weights
 * of the measure's mix, and its gradients. The edge term is computed on `edgeData` (by
 * default the same inputs): a minibatch evaluation passes the batch as `data` and all
 * objective inputs as `edgeData`, so its edge term is exact, not a batch estimate.
 */
export function layerObjective(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  want: GradientWant,
  edgeData: LayerData = data,
): LayerObjective {
  const { perInput, edge } = measure.mix
  const terms: [number, LayerObjective][] = []
  if (perInput > 0) terms.push([perInput, perInputObjective(data, rIn, rOut, measure, want)])
  if (edge > 0) terms.push([edge, edgeObjective(edgeData, rIn, rOut, squareOf(measure), want)])
  return weightedSum(terms)
}

/** The square form of a measure IRLS can majorize (ψ' finite at 0: lp, log), or an error. */
export function majorizable(measure: Measure): SquareForm {
  const square = squareOf(measure)
  if (!square.tensorSlope) {
    throw new Error(`${measure.spec.name} has no quadratic majorizer (IRLS needs lp or log)`)
  }
  return square
}

function squareOf(measure: Measure): SquareForm {
  if (!measure.square) throw new Error(`${measure.spec.name} has no edge form (l1, lp, log do)`)
  return measure.square
}

/**
 * Σ_t w_t·term_t, gradients and (where the terms carry one) `objective` alike; a single term
 * of weight 1 is returned as it is (bit for bit).
 */
export function weightedSum<T extends LayerObjective & { objective?: number }>(
  terms: readonly [number, T][],
): T {
  if (terms.length === 1 && terms[0][0] === 1) return terms[0][1]
  const add = (a: Mat | null, w: number, b: Mat | null): Mat | null =>
    b ? (a ? axpby(1, a, w, b) : scale(b, w)) : a
  let value = 0
  let objective = 0
  let gradOut: Mat | null = null
  let gradIn: Mat | null = null
  for (const [w, t] of terms) {
    value += w * t.value
    objective += w * (t.objective ?? t.value)
    gradOut = add(gradOut, w, t.gradOut)
    gradIn = add(gradIn, w, t.gradIn)
  }
  return { value, objective, gradOut, gradIn } as T
}

/**
 * L = mean_x S(J(x)) and its gradients (DESIGN.md §2):
 *   ∂L/∂R_out = (1/n) Σ_x G_x·Mᵀ·D_x                 (G_x = ∂S/∂J at x, M = W·R_inᵀ)
 *   ∂L/∂R_in  = (1/n) Σ_x G_xᵀ·R_out·D_x·W
 * each a dense matmul over the stacked chunk, fused with the measure into one native call
 * per chunk when the native backend is active. `rIn`/`rOut` null mean the fixed identity
 * (pixels, logits).
 */
function perInputObjective(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  want: GradientWant,
): LayerObjective {
  const sums = emptySums(data, want)
  if (isNative()) nativeSums(data, rIn, rOut, measure, sums)
  else tfjsSums(data, rIn, rOut, measure, sums)
  return averaged(data, sums, data.derivatives ? data.n : 1)
}

function emptySums(data: LayerData, want: GradientWant): ObjectiveSums {
  const { outDim, inDim } = data
  return {
    total: 0,
    out: want.out ? new Float64Array(outDim * outDim) : null,
    factor: want.in ? new Float64Array(outDim * inDim) : null,
  }
}

/** The sums divided by n, the factor of ∂/∂R_in turned into it (factorᵀ·W). */
function averaged(data: LayerData, sums: ObjectiveSums, n: number): LayerObjective {
  const { outDim, inDim } = data
  const divided = (acc: Float64Array | null, rows: number, cols: number): Mat | null =>
    acc
      ? mat(
          rows,
          cols,
          acc.map((v) => v / n),
        )
      : null
  const factor = divided(sums.factor, outDim, inDim)
  return {
    value: sums.total / n,
    gradOut: divided(sums.out, outDim, outDim),
    gradIn: factor ? matmulTN(factor, mat(outDim, inDim, data.weight)) : null,
  }
}

function addInto(acc: Float64Array, values: Float32Array): void {
  for (let e = 0; e < acc.length; e++) acc[e] += values[e]
}

function addGradients(
  sums: ObjectiveSums,
  r: { gradOut?: Float32Array; gradFactor?: Float32Array },
) {
  if (sums.out) addInto(sums.out, r.gradOut!)
  if (sums.factor) addInto(sums.factor, r.gradFactor!)
}

function nativeSums(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  sums: ObjectiveSums,
): void {
  const program = objectiveProgram(layerShape(data, rIn, rOut), measure, wantOf(sums))
  // The layer's inputs depend on its shape: the program asks for exactly these.
  const fixed = layerFeeds(data, rIn, rOut) as Record<LayerInput, Feed>
  const run = executor()
  forEachLayerChunk(data, (d) => {
    const r = run.run(program, d ? { ...fixed, d } : fixed)
    for (const v of r.value) sums.total += v
    addGradients(sums, r)
  })
}

function wantOf(sums: ObjectiveSums): GradientWant {
  return { out: sums.out !== null, in: sums.factor !== null }
}

/** The TensorFlow.js kernels: tfjs matmuls, the measure's fused loop in between. */
function tfjsSums(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  sums: ObjectiveSums,
): void {
  const size = data.outDim * data.inDim
  withLayer(data, rIn, rOut, (layer) =>
    forEachChunk(data, (d, count) => {
      const j = layer.jacobians(d, count)
      const per = new Float64Array(count)
      const g = sums.out || sums.factor ? new Float32Array(count * size) : null
      measure.evaluate(j, count, size, per, g)
      for (const v of per) sums.total += v
      if (g) accumulateTfjs(layer, sums, g, d, count)
    }),
  )
}

function withLayer<T>(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  body: (layer: RotatedLayer) => T,
): T {
  const layer = new RotatedLayer(data, rIn, rOut)
  try {
    return body(layer)
  } finally {
    layer.dispose()
  }
}

function accumulateTfjs(
  layer: RotatedLayer,
  sums: ObjectiveSums,
  g: Float32Array,
  d: Float32Array | null,
  count: number,
): void {
  if (sums.out) layer.accumulateGradOut(g, d, count, sums.out)
  if (sums.factor) layer.accumulateGradInFactor(g, d, count, sums.factor)
}

// ---- the edge term (core/sparsity/measures/edge.ts) ----

/** Σ_ij ψ(E_ij) over `data`'s inputs and its gradients, from the layer's virtual inputs. */
export function edgeObjective(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  form: SquareForm,
  want: GradientWant,
): LayerObjective {
  const e = edgeMoments(data, rIn, rOut)
  const { value, factor } = edgeTerm(form, e, want.in || want.out)
  const grads = factor
    ? weightedSquareGradients(data, rIn, rOut, factor, want)
    : { gradOut: null, gradIn: null }
  return { value, ...grads }
}

/** E_ij = mean_x J_ij(x)² over `data`'s inputs ([d_out·d_in], float64). */
export function edgeMoments(data: LayerData, rIn: Mat | null, rOut: Mat | null): Float64Array {
  const v = virtualInputs(data)
  const e = new Float64Array(data.outDim * data.inDim)
  if (isNative()) {
    const program = edgeMomentsProgram(layerShape(v, rIn, rOut))
    const fixed = layerFeeds(v, rIn, rOut) as Record<LayerInput, Feed>
    forEachLayerChunk(v, (d) =>
      addInto(e, executor().run(program, d ? { ...fixed, d } : fixed).moments),
    )
    return e
  }
  withLayer(v, rIn, rOut, (layer) =>
    forEachChunk(v, (d, count) => {
      const j = layer.jacobians(d, count)
      for (let k = 0; k < count; k++) {
        const base = k * e.length
        for (let i = 0; i < e.length; i++) e[i] += j[base + i] * j[base + i]
      }
    }),
  )
  return e
}

/**
 * The gradients of ½·Σ_ij g_ij·E_ij(R) for a fixed g ([d_out·d_in]): ∂/∂J_k = g ⊙ J_k over
 * the virtual inputs. g = 2·ψ'(E) gives the edge term's gradient.
 */
export function weightedSquareGradients(
  data: LayerData,
  rIn: Mat | null,
  rOut: Mat | null,
  g: Float32Array,
  want: GradientWant,
): { gradOut: Mat | null; gradIn: Mat | null } {
  const v = virtualInputs(data)
  const sums = emptySums(v, want)
  if (isNative()) {
    const program = weightedSquareGradientProgram(layerShape(v, rIn, rOut), want)
    const fixed = {
      ...(layerFeeds(v, rIn, rOut) as Record<LayerInput, Feed>),
      g: { data: g, shape: [g.length] },
    }
    forEachLayerChunk(v, (d) =>
      addGradients(sums, executor().run(program, d ? { ...fixed, d } : fixed)),
    )
  } else {
    withLayer(v, rIn, rOut, (layer) =>
      forEachChunk(v, (d, count) => {
        const j = layer.jacobians(d, count)
        for (let e = 0; e < j.length; e++) j[e] *= g[e % g.length]
        accumulateTfjs(layer, sums, j, d, count)
      }),
    )
  }
  // The virtual inputs carry the 1/n of the mean already.
  const { gradOut, gradIn } = averaged(v, sums, 1)
  return { gradOut, gradIn }
}

// ---- IRLS's majorizer of the per-input term ----

/** The majorizer of mean_x S(J(x)) at anchor bases, and the true term, at one point. */
export interface MajorizedTerm extends LayerObjective {
  /** mean_x S(J(x)) at the point (the value majorized). */
  readonly objective: number
}

/**
 * mean_x Σ_ij ψ'(J⁰_ij(x)²)·J_ij(x)², J⁰ the Jacobians at the anchor bases (`rIn0`, `rOut0`,
 * the same sides as `rIn`, `rOut`), with its gradients and mean_x S(J(x)) beside it. Up to a
 * constant it lies above mean_x S(J(x)) and touches it at the anchor (ψ concave), with the
 * same gradient there: IRLS (optimizers/irls-lp.ts) lowers S by lowering it.
 */
export function majorizedPerInput(
  data: LayerData,
  anchor: { rIn: Mat | null; rOut: Mat | null },
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  want: GradientWant,
): MajorizedTerm {
  majorizable(measure)
  const sums = emptySums(data, want)
  let objective = 0
  if (isNative()) {
    const program = majorizerProgram(layerShape(data, rIn, rOut), measure, want)
    const at = layerFeeds(data, anchor.rIn, anchor.rOut)
    // The program asks for the anchor's sides exactly where the point has them.
    const fixed = {
      ...layerFeeds(data, rIn, rOut),
      ...(at.rin ? { rin0: at.rin } : {}),
      ...(at.rout ? { rout0: at.rout } : {}),
    } as Record<LayerInput | 'rin0' | 'rout0', Feed>
    forEachLayerChunk(data, (d) => {
      const r = executor().run(program, d ? { ...fixed, d } : fixed)
      for (const v of r.value) sums.total += v
      for (const v of r.objective) objective += v
      addGradients(sums, r)
    })
  } else {
    objective = tfjsMajorizer(data, anchor, rIn, rOut, measure, sums)
  }
  const n = data.derivatives ? data.n : 1
  return { ...averaged(data, sums, n), objective: objective / n }
}

function tfjsMajorizer(
  data: LayerData,
  anchor: { rIn: Mat | null; rOut: Mat | null },
  rIn: Mat | null,
  rOut: Mat | null,
  measure: Measure,
  sums: ObjectiveSums,
): number {
  const slope = majorizable(measure).slope
  const size = data.outDim * data.inDim
  let objective = 0
  withLayer(data, anchor.rIn, anchor.rOut, (at) =>
    withLayer(data, rIn, rOut, (layer) =>
      forEachChunk(data, (d, count) => {
        const j0 = at.jacobians(d, count)
        const j = layer.jacobians(d, count)
        const per = new Float64Array(count)
        measure.evaluate(j, count, size, per, null)
        for (const v of per) objective += v
        const g = new Float32Array(j.length)
        for (let e = 0; e < j.length; e++) {
          const w = slope(j0[e] * j0[e])
          sums.total += w * j[e] * j[e]
          g[e] = 2 * w * j[e]
        }
        if (sums.out || sums.factor) accumulateTfjs(layer, sums, g, d, count)
      }),
    ),
  )
  return objective
}
