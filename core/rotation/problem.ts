import { type LayerData, subsetLayerData } from '../jacobian/layer-data.ts'
import { type Mat, axpby } from '../linalg/matrix.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import { layerObjective } from './objective.ts'

/**
 * One rotation-optimization problem: some free rotations R_i (indices into the
 * activation spaces 0..L) against the sum of some layers' objectives, the others held
 * fixed. Schemes build these; optimizers only see `evaluate`.
 */
export interface RotationProblem {
  /** Activation-space index of each free rotation. */
  readonly free: readonly number[]
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
}

export interface ProblemSpec {
  /** Per weight layer (index k-1), its data on the objective inputs. */
  readonly data: readonly LayerData[]
  /** Current bases R_0..R_L; null means the identity. Fixed ones are read from here. */
  readonly bases: readonly (Mat | null)[]
  readonly free: readonly number[]
  /** 1-based weight layers whose objectives are summed. */
  readonly layers: readonly number[]
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

export function createProblem(
  spec: ProblemSpec,
  parametrization: BasisParametrization = orthogonal,
): RotationProblem {
  const { data, free, layers, measure } = spec
  const nSamples = Math.max(...data.map((d) => d.n))
  const dims = free.map((i) => (i === 0 ? data[0].inDim : data[i - 1].outDim))
  return {
    free,
    dims,
    nSamples,
    evaluate(params, options) {
      const bases = [...spec.bases]
      free.forEach((idx, i) => (bases[idx] = params[i]))
      const prepared = bases.map((b) => (b ? parametrization.prepare(b) : null))
      const grads: (Mat | null)[] = free.map(() => null)
      const add = (i: number, g: Mat): void => {
        grads[i] = grads[i] ? axpby(1, grads[i]!, 1, g) : g
      }
      const perLayer: number[] = []
      let value = 0
      for (const k of layers) {
        const full = data[k - 1]
        const d = options.samples ? subsetLayerData(full, options.samples) : full
        const inFree = free.indexOf(k - 1)
        const outFree = free.indexOf(k)
        const pIn = prepared[k - 1]
        const pOut = prepared[k]
        const r = layerObjective(d, pIn?.reading ?? null, pOut?.writing ?? null, measure, {
          in: options.grad && inFree >= 0,
          out: options.grad && outFree >= 0,
        })
        value += r.value
        perLayer.push(r.value)
        if (r.gradIn) add(inFree, parametrization.pullReading(bases[k - 1]!, pIn!, r.gradIn))
        if (r.gradOut) add(outFree, parametrization.pullWriting(bases[k]!, pOut!, r.gradOut))
      }
      return {
        value,
        perLayer,
        grads: options.grad ? grads.map((g, i) => g ?? zerosLike(dims[i])) : null,
      }
    },
  }
}

function zerosLike(n: number): Mat {
  return { rows: n, cols: n, data: new Float64Array(n * n) }
}
