import { type CircuitGraph, circuitGraph } from '../analysis/circuit-graph.ts'
import {
  FAITHFULNESS_TOLERANCES,
  connectionCounts,
  faithfulnessCurve,
  fewestConnections,
} from '../analysis/faithfulness.ts'
import { meanJacobian, topActivating } from '../analysis/feature-views.ts'
import { CancelledError } from '../errors.ts'
import { type LayerData, subsetLayerData } from '../jacobian/layer-data.ts'
import { accuracy, predictLogits } from '../model/forward.ts'
import { type Mat, identity } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { Rng } from '../random/prng.ts'
import type { RotationOptimizer } from '../rotation/optimizers/index.ts'
import { createProblem } from '../rotation/problem.ts'
import { type TransformKind, createProblemFor, transformOf } from '../rotation/transform.ts'
import { type RestartCensus, runRestarts } from '../rotation/restarts.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import type { RunConfig } from '../api/run-config.ts'
import type { RunArtifact } from './pipeline.ts'
import type { HeldOutMetrics } from './summary.ts'

export type BaselineName = 'neuron' | 'random' | 'pca' | 'jtj'

export interface AnalysesSummary {
  /** pairwise scheme: how well the two bases found for each hidden space agree. */
  agreement?: { space: number; meanAbsCos: number; permutationDistance: number; chance: number }[]
  /** Held-out metrics per layer in simple bases beside the learned one. */
  baselines?: { layer: number; bases: Record<BaselineName | 'learned', HeldOutMetrics> }[]
  /** Per layer with a free rotation: fit on the first N objective inputs, evaluate held-out. */
  generalization?: {
    layer: number
    points: { samples: number; objective: number; heldOut: HeldOutMetrics; steps: number }[]
  }[]
  /** Accuracy when only the k strongest connections of a layer are kept, per basis. */
  faithfulness?: {
    layer: number
    fullAccuracy: number
    bases: Record<
      string,
      { curve: { k: number; accuracy: number }[]; fewest: Record<string, number | null> }
    >
  }[]
  /** Per layer with a free output rotation: K random starts, how many converged, distinct minima. */
  restarts?: { layer: number; census: RestartCensus; values: number[] }[]
  circuit?: CircuitGraph
  /** Top-activating test inputs (canonical dataset indices) for each direction of each hidden space. */
  features?: { space: number; top: number[][] }[]
}

export interface AnalysisContext {
  readonly config: RunConfig
  readonly params: MlpParams
  /** The learned bases as they act on activations, ã_k = bases[k]·a_k: R_k, or T_k (oblique). */
  readonly bases: readonly (Mat | null)[]
  /**
   * Oblique runs: the matrices the reading side of a layer takes (T_k⁻ᵀ, so that
   * J = T_k·D·W·T_{k-1}⁻¹; see rotation/transform.ts BasisSides). Default: `bases`.
   */
  readonly inBases?: readonly (Mat | null)[]
  /** What `optimizer` learns (generalization re-optimizes with it); default 'rotation'. */
  readonly transform?: TransformKind
  readonly free: readonly number[]
  readonly objectiveData: readonly LayerData[]
  readonly heldData: readonly LayerData[]
  readonly measure: Measure
  readonly xTest: Float32Array
  readonly yTest: Uint8Array
  readonly testIndices: readonly number[]
  readonly optimizer: RotationOptimizer
  readonly rng: Rng
  readonly signal?: AbortSignal
  /** Bases of a baseline for every space (null = identity); supplied by the pipeline. */
  baselineBases(name: Exclude<BaselineName, 'neuron'>): (Mat | null)[]
  heldOut(layer: number, rIn: Mat | null, rOut: Mat | null): HeldOutMetrics
  /** Held-out metrics the run already has, per layer: not computed again. */
  readonly known: {
    readonly neuron: readonly HeldOutMetrics[]
    readonly learned: readonly HeldOutMetrics[]
  }
  progress(fraction: number, message: string): void
  artifact(a: RunArtifact): void
}

function check(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError('run cancelled')
}

/** Runs the analyses the config asks for, after the learned bases are known. */
export async function runAnalyses(ctx: AnalysisContext): Promise<AnalysesSummary> {
  const a = ctx.config.analyses
  const L = ctx.params.layers.length
  const out: AnalysesSummary = {}
  const steps = [a.baselines, a.generalization, a.faithfulness, a.circuit, a.features].filter(
    Boolean,
  ).length
  let done = 0
  const advance = (message: string): void => ctx.progress(++done / Math.max(1, steps), message)

  const baselineSets: Partial<Record<BaselineName, (Mat | null)[]>> = {}
  const basesOf = (name: BaselineName): (Mat | null)[] =>
    (baselineSets[name] ??=
      name === 'neuron' ? ctx.params.sizes.map(() => null) : ctx.baselineBases(name))

  // Mean |J| on the objective inputs, per basis set and layer: faithfulness ranks
  // connections by it and the circuit graph draws it; computed once for both.
  const meanAbsCache = new Map<string, Float32Array>()
  const kind = ctx.transform ?? 'rotation'
  const inBases = ctx.inBases ?? ctx.bases
  const objectiveMeanAbs = (
    name: string,
    b: readonly (Mat | null)[],
    k: number,
    bIn: readonly (Mat | null)[] = b,
  ): Float32Array => {
    const key = `${name}:${k}`
    let m = meanAbsCache.get(key)
    if (!m) {
      m = layerMetrics(ctx.objectiveData[k - 1], bIn[k - 1], b[k], [], undefined, {
        meanAbs: true,
      }).meanAbs!
      meanAbsCache.set(key, m)
    }
    return m
  }

  if (a.baselines) {
    out.baselines = []
    for (let k = 1; k <= L; k++) {
      const row = {
        learned: ctx.known.learned[k - 1],
        neuron: ctx.known.neuron[k - 1],
      } as Record<BaselineName | 'learned', HeldOutMetrics>
      for (const name of ['random', 'pca', 'jtj'] as const) {
        const b = basesOf(name)
        row[name] = ctx.heldOut(k, b[k - 1], b[k])
        check(ctx.signal)
      }
      out.baselines.push({ layer: k, bases: row })
    }
    advance('baselines')
  }

  if (a.generalization) {
    out.generalization = []
    const rot = ctx.config.rotation
    for (let k = 1; k <= L; k++) {
      const mine = ctx.free.filter((i) => i === k)
      if (!mine.length) continue
      const points: NonNullable<AnalysesSummary['generalization']>[number]['points'] = []
      for (const n of a.generalization.sizes.filter((s) => s <= ctx.objectiveData[0].n)) {
        const idx = Array.from({ length: n }, (_, i) => i)
        const data = ctx.objectiveData.map((d) => subsetLayerData(d, idx))
        const start = ctx.params.sizes.map((d, i) => (ctx.free.includes(i) ? identity(d) : null))
        const problem = createProblemFor(kind, {
          data,
          bases: start,
          free: mine,
          layers: [k],
          measure: ctx.measure,
        })
        const result = await ctx.optimizer.optimize(
          problem,
          mine.map((i) => start[i]!),
          {
            maxSteps: rot.maxSteps,
            budgetSeconds: a.generalization.budgetSeconds,
            gradTol: rot.gradTol,
            signal: ctx.signal,
          },
          { rng: ctx.rng.fork(`generalization-${k}-${n}`) },
        )
        check(ctx.signal)
        points.push({
          samples: n,
          steps: result.steps,
          objective: problem.evaluate(result.rotations, { grad: false }).value,
          // Identity elsewhere; the learned parameter acts as R, or as T = M⁻¹ (oblique).
          heldOut: ctx.heldOut(k, start[k - 1], transformOf(kind, result.rotations[0]).forward),
        })
      }
      out.generalization.push({ layer: k, points })
    }
    advance('generalization')
  }

  if (a.restarts) {
    out.restarts = []
    const rot = ctx.config.rotation
    for (let k = 1; k <= L; k++) {
      if (!ctx.free.includes(k)) continue
      const start = ctx.params.sizes.map((d, i) => (ctx.free.includes(i) ? identity(d) : null))
      const problem = createProblem({
        data: ctx.objectiveData,
        bases: start,
        free: [k],
        layers: [k],
        measure: ctx.measure,
      })
      const { census, results } = await runRestarts(problem, ctx.optimizer, {
        starts: a.restarts.starts,
        seed: ctx.config.seed + k,
        rules: {
          maxSteps: rot.maxSteps,
          budgetSeconds: a.restarts.budgetSeconds,
          gradTol: rot.gradTol,
          signal: ctx.signal,
        },
      })
      check(ctx.signal)
      out.restarts.push({ layer: k, census, values: results.map((r) => r.value) })
    }
    advance('restarts')
  }

  if (a.faithfulness) {
    out.faithfulness = []
    const n = ctx.yTest.length
    const full = accuracy(predictLogits(ctx.params, ctx.xTest, n), ctx.yTest, ctx.params.sizes[L])
    for (let k = 1; k <= L; k++) {
      const total = ctx.params.sizes[k] * ctx.params.sizes[k - 1]
      const ks = connectionCounts(total, a.faithfulness.points)
      const bases: Record<
        string,
        { curve: { k: number; accuracy: number }[]; fewest: Record<string, number | null> }
      > = {}
      for (const [name, b, bIn] of [
        ['learned', ctx.bases, inBases],
        ['neuron', basesOf('neuron'), basesOf('neuron')],
        ['pca', basesOf('pca'), basesOf('pca')],
      ] as const) {
        // Connections are ranked on the objective (training) inputs, judged on the test set.
        const ranking = objectiveMeanAbs(name, b, k, bIn)
        const curve = faithfulnessCurve(ctx.params, b, k, ranking, ctx.xTest, ctx.yTest, ks, bIn)
        bases[name] = {
          curve,
          fewest: Object.fromEntries(
            FAITHFULNESS_TOLERANCES.map((t) => [String(t), fewestConnections(curve, full, t)]),
          ),
        }
        check(ctx.signal)
      }
      out.faithfulness.push({ layer: k, fullAccuracy: full, bases })
    }
    advance('faithfulness')
  }

  if (a.circuit) {
    const layers = Array.from({ length: L }, (_, i) => {
      const k = i + 1
      return {
        layer: k,
        rows: ctx.params.sizes[k],
        cols: ctx.params.sizes[k - 1],
        data: objectiveMeanAbs('learned', ctx.bases, k, inBases),
      }
    })
    out.circuit = circuitGraph(layers, { edgesPerLayer: a.circuit.edgesPerLayer })
    advance('circuit graph')
  }

  if (a.features) {
    out.features = []
    const n = ctx.yTest.length
    const dim = ctx.params.sizes[0]
    for (let space = 1; space < L; space++) {
      const top = topActivating(ctx.params, ctx.bases, space, ctx.xTest, n, a.features.top)
      out.features.push({
        space,
        top: top.map((row) => Array.from(row, (i) => ctx.testIndices[i])),
      })
      ctx.artifact(featureInputsArtifact(space, top, ctx.xTest, dim))
    }
    // Layer-1 directions read pixels directly: row i of the signed mean J₁ is the
    // 28×28 input template of direction i.
    ctx.artifact({
      kind: 'feature-template',
      name: 'layer1.templates',
      meta: { layer: 1, basis: 'learned', note: 'row i = input template of direction i' },
      shape: [ctx.params.sizes[1], ctx.params.sizes[0]],
      data: meanJacobian(ctx.objectiveData[0], inBases[0], ctx.bases[1]),
    })
    advance('feature views')
  }
  return out
}

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
    name: `space${space}.top-inputs`,
    meta: { space, basis: 'learned', note: '[direction, rank, pixel]: top-activating test inputs' },
    shape: [top.length, k, dim],
    data,
  }
}
