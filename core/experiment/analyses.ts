import type { CachedBaselines } from './baseline-cache.ts'
import { artifactNames } from '../api/artifacts.ts'
import { circuitGraph } from '../analysis/circuit-graph.ts'
import {
  FAITHFULNESS_TOLERANCES,
  connectionCounts,
  directionImportance,
  edgeAblation,
  fewestKept,
  nodeAblation,
  targetAccuracy,
} from '../analysis/faithfulness.ts'
import { meanJacobian, topActivating } from '../analysis/feature-views.ts'
import { CancelledError } from '../errors.ts'
import { type LayerData, subsetLayerData } from '../jacobian/layer-data.ts'
import { accuracy, predictLogits } from '../model/forward.ts'
import { type Mat, identity, transpose } from '../linalg/matrix.ts'
import type { MlpParams } from '../model/mlp.ts'
import type { Rng } from '../random/prng.ts'
import type { RotationOptimizer } from '../rotation/optimizers/index.ts'
import { conditionNumber, inverse, inverseError } from '../rotation/oblique/manifold.ts'
import { createProblem } from '../rotation/problem.ts'
import { type TransformKind, createProblemFor, transformOf } from '../rotation/transform.ts'
import { runRestarts } from '../rotation/restarts.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import type { Measure } from '../sparsity/measures/index.ts'
import type { RunConfig } from '../api/run-config.ts'
import { isLibBaseline } from './baselines.ts'
import type { RunArtifact } from './run-context.ts'
import type {
  AnalysesSummary,
  FaithfulnessOfBasis,
  HeldOutMetrics,
  LibSummary,
} from '../api/summary.ts'

export type BaselineName = 'neuron' | 'random' | 'pca' | 'jtj' | 'lib'

/** The bases every run holds a learned one against, in report order. */
export const BASELINE_NAMES: readonly BaselineName[] = ['neuron', 'random', 'pca', 'jtj', 'lib']

export type { AnalysesSummary, FaithfulnessOfBasis, LibSummary } from '../api/summary.ts'

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
  /**
   * The objective inputs `objectiveData` describes ([samples × d_0]): node ablation ranks
   * directions on them. Without them it ranks on the held-out inputs (and says so).
   */
  readonly objectiveX?: Float32Array
  readonly heldData: readonly LayerData[]
  readonly measure: Measure
  readonly xTest: Float32Array
  readonly yTest: Uint8Array
  readonly testIndices: readonly number[]
  readonly optimizer: RotationOptimizer
  readonly rng: Rng
  readonly signal?: AbortSignal
  /**
   * Bases of a baseline for every space as they act (null = identity); supplied by the
   * pipeline. Orthogonal, but for 'lib' (T, whose reading side is T⁻ᵀ; see LibBaseline).
   */
  baselineBases(name: Exclude<BaselineName, 'neuron'>): (Mat | null)[]
  heldOut(layer: number, rIn: Mat | null, rOut: Mat | null): HeldOutMetrics
  /** Held-out metrics the run already has, per layer: not computed again. */
  readonly known: {
    readonly neuron: readonly HeldOutMetrics[]
    readonly learned: readonly HeldOutMetrics[]
  }
  progress(fraction: number, message: string): void
  /** The baselines' held-out metrics earlier runs of the same model computed (or null), and where to leave them. */
  readonly baselineCache?: {
    get(): CachedBaselines | null
    set(value: CachedBaselines): void
  }
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

  // Each baseline's bases on both sides of a layer's Jacobian (J = out_k·D·W·in_{k-1}ᵀ):
  // R and R for rotations, T and T⁻ᵀ for LIB.
  const baselineSets: Partial<Record<BaselineName, BasisSet>> = {}
  const basesOf = (name: BaselineName): BasisSet => (baselineSets[name] ??= baselineSet(ctx, name))

  // Mean |J| on the objective inputs, per basis set and layer: faithfulness ranks
  // connections by it and the circuit graph draws it; computed once for both.
  const meanAbsCache = new Map<string, Float32Array>()
  const kind = ctx.transform ?? 'rotation'
  const inBases = ctx.inBases ?? ctx.bases
  const objectiveMeanAbs = (name: string, set: BasisSet, k: number): Float32Array => {
    const key = `${name}:${k}`
    let m = meanAbsCache.get(key)
    if (!m) {
      m = layerMetrics(ctx.objectiveData[k - 1], set.in[k - 1], set.out[k], [], undefined, {
        meanAbs: true,
      }).meanAbs!
      meanAbsCache.set(key, m)
    }
    return m
  }
  const learned: BasisSet = { out: ctx.bases, in: inBases }
  let fullLogits: Float32Array | undefined
  const heldOutLogits = (): Float32Array =>
    (fullLogits ??= predictLogits(ctx.params, ctx.xTest, ctx.yTest.length))

  if (a.baselines) {
    // The simple bases depend only on the model, the data and the inputs: computed once.
    const known = ctx.baselineCache?.get() ?? null
    const cached: CachedBaselines = known ?? {
      rows: Array.from({ length: L }, (_, i) => {
        const k = i + 1
        const bases: Record<string, HeldOutMetrics> = {}
        for (const name of BASELINE_NAMES.filter((b) => b !== 'neuron')) {
          const b = basesOf(name)
          bases[name] = ctx.heldOut(k, b.in[k - 1], b.out[k])
          check(ctx.signal)
        }
        return { layer: k, bases }
      }),
      lib: libSummary(ctx, basesOf('lib'), heldOutLogits()),
    }
    if (!known) ctx.baselineCache?.set(cached)
    out.baselines = cached.rows.map((r, i) => ({
      layer: r.layer,
      bases: { learned: ctx.known.learned[i], neuron: ctx.known.neuron[i], ...r.bases },
    }))
    out.lib = cached.lib
    advance(known ? 'baselines (from earlier runs of this model)' : 'baselines')
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
    const full = accuracy(heldOutLogits(), ctx.yTest, ctx.params.sizes[L])
    const sets: [string, BasisSet][] = [
      ['learned', learned],
      ...BASELINE_NAMES.map((name): [string, BasisSet] => [name, basesOf(name)]),
    ]
    // Directions are ranked on the objective inputs where the pipeline gives them.
    const rankX = ctx.objectiveX ?? ctx.xTest
    const rankN = ctx.objectiveX ? ctx.objectiveX.length / ctx.params.sizes[0] : n
    for (let k = 1; k <= L; k++) {
      const ks = connectionCounts(
        ctx.params.sizes[k] * ctx.params.sizes[k - 1],
        a.faithfulness.points,
      )
      const bases: Record<string, FaithfulnessOfBasis> = {}
      for (const [name, set] of sets) {
        bases[name] = faithfulnessOf(ctx, set, k, ks, full, {
          ranking: objectiveMeanAbs(name, set, k),
          importance: directionImportance(ctx.params, set.out, k - 1, rankX, rankN, set.in),
        })
        check(ctx.signal)
      }
      out.faithfulness.push({
        layer: k,
        fullAccuracy: full,
        nodeSpace: k - 1,
        nodeRanking: ctx.objectiveX ? 'objective' : 'held-out',
        bases,
      })
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
        data: objectiveMeanAbs('learned', learned, k),
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
      name: artifactNames.featureTemplates(1),
      meta: { layer: 1, basis: 'learned', note: 'row i = input template of direction i' },
      shape: [ctx.params.sizes[1], ctx.params.sizes[0]],
      data: meanJacobian(ctx.objectiveData[0], inBases[0], ctx.bases[1]),
    })
    advance('feature views')
  }
  return out
}

/** A basis set on both sides of the layer Jacobians: J_k = out[k]·D·W·in[k-1]ᵀ (null = identity). */
interface BasisSet {
  readonly out: readonly (Mat | null)[]
  readonly in: readonly (Mat | null)[]
}

function baselineSet(ctx: AnalysisContext, name: BaselineName): BasisSet {
  if (name === 'neuron') {
    const none = ctx.params.sizes.map(() => null)
    return { out: none, in: none }
  }
  const out = ctx.baselineBases(name)
  if (name !== 'lib') return { out, in: out }
  return { out, in: out.map((t) => t && transpose(inverseOf(t))) }
}

/** T⁻¹ of a LIB basis: its closed form when the pipeline passed it on, else by LU. */
function inverseOf(t: Mat): Mat {
  return isLibBaseline(t) ? t.lib.inverse : inverse(t)
}

/**
 * LIB inserted as T_k⁻¹·T_k in every space it has a basis for, run on the held-out inputs
 * (`predictLogits` with the changes), beside the conditioning of each T_k.
 */
function libSummary(ctx: AnalysisContext, set: BasisSet, original: Float32Array): LibSummary {
  const n = ctx.yTest.length
  const classes = ctx.params.sizes[ctx.params.sizes.length - 1]
  const changes = set.out.map((t, i) => (t ? { forward: t, inverse: transpose(set.in[i]!) } : null))
  const after = predictLogits(ctx.params, ctx.xTest, n, changes)
  let maxAbsLogitDiff = 0
  for (let i = 0; i < original.length; i++) {
    maxAbsLogitDiff = Math.max(maxAbsLogitDiff, Math.abs(original[i] - after[i]))
  }
  const f32 = (m: Mat): Mat => ({ ...m, data: Float64Array.from(Float32Array.from(m.data)) })
  return {
    maxAbsLogitDiff,
    accuracyBefore: accuracy(original, ctx.yTest, classes),
    accuracyAfter: accuracy(after, ctx.yTest, classes),
    samples: n,
    spaces: changes.flatMap((c, space) => {
      const t = set.out[space]
      if (!c || !t) return []
      return [
        {
          space,
          kept: isLibBaseline(t) ? t.lib.kept : t.rows,
          rank: isLibBaseline(t) ? t.lib.rank : t.rows,
          condition: conditionNumber(c.forward),
          inverseError: inverseError(f32(c.forward), f32(c.inverse)),
        },
      ]
    }),
  }
}

/**
 * One basis set's faithfulness at layer k on the held-out inputs: the curve over `ks`, and
 * by exact search the fewest connections (ranked by `ranking`) and the fewest directions of
 * space k−1 (ranked by `importance`) within each tolerance of `full`.
 */
function faithfulnessOf(
  ctx: AnalysisContext,
  set: BasisSet,
  k: number,
  ks: readonly number[],
  full: number,
  rank: { ranking: Float32Array; importance: Float64Array },
): FaithfulnessOfBasis {
  const { params, xTest, yTest } = ctx
  const edges = edgeAblation(params, set.out, k, rank.ranking, xTest, yTest, set.in)
  const curve = ks.map((c) => ({ k: c, accuracy: edges.at(c) }))
  const nodes = nodeAblation(params, set.out, k - 1, rank.importance, xTest, yTest, set.in)
  const perTolerance = (f: (target: number) => number | null): Record<string, number | null> =>
    Object.fromEntries(FAITHFULNESS_TOLERANCES.map((t) => [String(t), f(targetAccuracy(full, t))]))
  return {
    curve,
    fewest: perTolerance((target) => fewestKept(edges, target, curve)),
    fewestNodes: perTolerance((target) => fewestKept(nodes, target)),
    nodeCurve: nodes.evaluated(),
  }
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
    name: artifactNames.featureInputs(space),
    meta: { space, basis: 'learned', note: '[direction, rank, pixel]: top-activating test inputs' },
    shape: [top.length, k, dim],
    data,
  }
}
