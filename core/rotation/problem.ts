import { type LayerData, spaceWidth, subsetLayerData } from '../jacobian/layer-data.ts'
import { type Mat, axpby } from '../linalg/matrix.ts'
import { type Layer, type Space, atLayer, layerIn, layerOut } from '../model/indices.ts'
import type { Measure, SquareForm } from '../sparsity/measures/index.ts'
import {
  type LayerObjective,
  edgeMoments,
  layerObjective,
  majorizable,
  majorizedPerInput,
  weightedSquareGradients,
  weightedSum,
} from './objective.ts'

/**
 * One rotation-optimization problem: some free rotations R_s (of activation spaces s in
 * 0..L) against the sum of some layers' objectives, the others held fixed. Schemes build
 * these; optimizers only see `evaluate`, whose parameters follow the order of `free`.
 */
export interface RotationProblem {
  /** The activation space of each free rotation. */
  readonly free: readonly Space[]
  /** Width of each free rotation. */
  readonly dims: readonly number[]
  /** Number of objective inputs (minibatches index into 0..nSamples-1). */
  readonly nSamples: number
  /**
   * Σ_k L_k at the given free rotations, over all objective inputs or a subset, with
   * the Euclidean gradient for each free rotation when asked for.
   */
  evaluate(
    rotations: readonly Mat[],
    options: { grad: boolean; samples?: readonly number[] },
  ): { value: number; grads: Mat[] | null; perLayer: number[] }
  /**
   * IRLS (optimizers/irls-lp.ts): the objective's quadratic majorizer at `anchor` (the free
   * parameters), for measures concave in J² (lp, log; otherwise it throws): a weighted
   * sum of squared Jacobian entries that lies above the objective up to a constant and
   * touches it at the anchor, gradient included. Absent on problems built by hand.
   */
  majorizer?(anchor: readonly Mat[]): Majorizer
}

export interface Majorizer {
  /**
   * The majorizer (without its constant) at the given parameters, its gradients when asked
   * for, and the true objective there (`objective`, the same as `RotationProblem.evaluate`'s
   * value on the same inputs).
   */
  evaluate(
    params: readonly Mat[],
    options: { grad: boolean; samples?: readonly number[] },
  ): { value: number; objective: number; grads: Mat[] | null }
}

export interface ProblemSpec {
  /** Per weight layer (entry k−1 is layer k), its data on the objective inputs. */
  readonly data: readonly LayerData[]
  /** Current bases R_0..R_L, by space; null means the identity. Fixed ones are read from here. */
  readonly bases: readonly (Mat | null)[]
  readonly free: readonly Space[]
  /** The weight layers whose objectives are summed. */
  readonly layers: readonly Layer[]
  readonly measure: Measure
}

/**
 * How a free space's parameter P becomes the matrices the layer objective takes — the
 * basis of the layer reading the space (`reading`, used as R_inᵀ) and of the layer
 * writing it (`writing`) — and how their Euclidean gradients pull back to ∂L/∂P.
 * Rotations are their own parameter; oblique transforms (./oblique/problem.ts) are not.
 */
export interface BasisParametrization {
  /** Per evaluation and space: what both sides need (e.g. an inverse), computed once. */
  prepare(p: Mat): { reading: Mat; writing: Mat }
  pullReading(p: Mat, prepared: { reading: Mat; writing: Mat }, g: Mat): Mat
  pullWriting(p: Mat, prepared: { reading: Mat; writing: Mat }, g: Mat): Mat
}

const orthogonal: BasisParametrization = {
  prepare: (r) => ({ reading: r, writing: r }),
  pullReading: (_r, _prepared, g) => g,
  pullWriting: (_r, _prepared, g) => g,
}

/** One layer's part of an evaluation, with the sides of its Jacobian set (J = out·D·W·inᵀ). */
interface LayerTerm {
  readonly k: Layer
  /** The layer's data on this evaluation's inputs (a minibatch, or all of them). */
  readonly data: LayerData
  /** The layer's data on all objective inputs (the edge term's). */
  readonly full: LayerData
  readonly rIn: Mat | null
  readonly rOut: Mat | null
  readonly want: { in: boolean; out: boolean }
}

export function createProblem(
  spec: ProblemSpec,
  parametrization: BasisParametrization = orthogonal,
): RotationProblem {
  const { data, free, layers, measure } = spec
  const nSamples = Math.max(...data.map((d) => d.n))
  const dims = free.map((s) => spaceWidth(data, s))

  /** Every basis, the free ones at `params`, each prepared for both sides of a layer. */
  const prepareAll = (params: readonly Mat[]) => {
    const bases = [...spec.bases]
    free.forEach((s, i) => (bases[s] = params[i]))
    return { bases, prepared: bases.map((b) => (b ? parametrization.prepare(b) : null)) }
  }

  /**
   * Σ over the problem's layers of `term`, each layer's gradients pulled back to the free
   * parameters, and the sum of the terms' `objective` (when they report one).
   */
  const sumLayers = (
    params: readonly Mat[],
    options: { grad: boolean; samples?: readonly number[] },
    term: (t: LayerTerm) => LayerObjective & { objective?: number },
  ) => {
    const { bases, prepared } = prepareAll(params)
    const grads: (Mat | null)[] = free.map(() => null)
    const add = (i: number, g: Mat): void => {
      grads[i] = grads[i] ? axpby(1, grads[i]!, 1, g) : g
    }
    const perLayer: number[] = []
    let value = 0
    let objective = 0
    for (const k of layers) {
      const full = atLayer(data, k)
      const [sIn, sOut] = [layerIn(k), layerOut(k)]
      // Positions in `free` (and in the parameters and gradients), −1 for a fixed side.
      const inFree = free.indexOf(sIn)
      const outFree = free.indexOf(sOut)
      const pIn = prepared[sIn]
      const pOut = prepared[sOut]
      const r = term({
        k,
        data: options.samples ? subsetLayerData(full, options.samples) : full,
        full,
        rIn: pIn?.reading ?? null,
        rOut: pOut?.writing ?? null,
        want: { in: options.grad && inFree >= 0, out: options.grad && outFree >= 0 },
      })
      value += r.value
      objective += r.objective ?? r.value
      perLayer.push(r.value)
      if (r.gradIn) add(inFree, parametrization.pullReading(bases[sIn]!, pIn!, r.gradIn))
      if (r.gradOut) add(outFree, parametrization.pullWriting(bases[sOut]!, pOut!, r.gradOut))
    }
    return {
      value,
      objective,
      perLayer,
      grads: options.grad ? grads.map((g, i) => g ?? zerosLike(dims[i])) : null,
    }
  }

  return {
    free,
    dims,
    nSamples,
    evaluate(params, options) {
      // The edge term always sees every objective input: exact under minibatches too.
      const { value, perLayer, grads } = sumLayers(params, options, (t) =>
        layerObjective(t.data, t.rIn, t.rOut, measure, t.want, t.full),
      )
      return { value, perLayer, grads }
    },
    majorizer(anchor) {
      majorizable(measure)
      const { prepared } = prepareAll(anchor)
      const sidesAt = (k: Layer) => ({
        rIn: prepared[layerIn(k)]?.reading ?? null,
        rOut: prepared[layerOut(k)]?.writing ?? null,
      })
      const { perInput: alpha, edge: beta } = measure.mix
      const slope = measure.square!.slope
      // The edge term's weights ψ'(E⁰) per layer, from the anchor's E over all inputs.
      const edgeWeights = new Map<Layer, Float32Array>()
      if (beta > 0) {
        for (const k of layers) {
          const { rIn, rOut } = sidesAt(k)
          const e = edgeMoments(atLayer(data, k), rIn, rOut)
          edgeWeights.set(k, Float32Array.from(e, slope))
        }
      }
      return {
        evaluate(params, options) {
          const r = sumLayers(params, options, (t) => {
            const parts: [number, LayerObjective & { objective: number }][] = []
            if (alpha > 0) {
              parts.push([
                alpha,
                majorizedPerInput(t.data, sidesAt(t.k), t.rIn, t.rOut, measure, t.want),
              ])
            }
            if (beta > 0) {
              parts.push([beta, majorizedEdge(t, edgeWeights.get(t.k)!, measure.square!)])
            }
            return weightedSum(parts)
          })
          return { value: r.value, objective: r.objective, grads: r.grads }
        },
      }
    },
  }
}

/**
 * The edge term's majorizer Σ_ij v_ij·E_ij(R) with v = ψ'(E⁰) fixed at the anchor, its
 * gradient, and the true Σ ψ(E_ij) at the same point (from the same E).
 */
function majorizedEdge(
  t: LayerTerm,
  weights: Float32Array,
  form: SquareForm,
): LayerObjective & { objective: number } {
  const e = edgeMoments(t.full, t.rIn, t.rOut)
  let value = 0
  let objective = 0
  for (let i = 0; i < e.length; i++) {
    value += weights[i] * e[i]
    objective += form.value(e[i])
  }
  const grads =
    t.want.in || t.want.out
      ? weightedSquareGradients(
          t.full,
          t.rIn,
          t.rOut,
          weights.map((w) => 2 * w),
          t.want,
        )
      : { gradOut: null, gradIn: null }
  return { value, objective, ...grads }
}

function zerosLike(n: number): Mat {
  return { rows: n, cols: n, data: new Float64Array(n * n) }
}
