import type { CachedBaselines } from './baseline-cache.ts'
import { artifactNames } from '../api/artifacts.ts'
import { circuitGraph } from '../analysis/circuit-graph.ts'
import { connectionCounts, directionImportance } from '../analysis/faithfulness.ts'
import { rotatedActivations } from '../analysis/activations.ts'
import { activationSpread, meanJacobian, topPerColumn } from '../analysis/feature-views.ts'
import { CancelledError } from '../errors.ts'
import { subsetLayerData } from '../jacobian/layer-data.ts'
import { accuracy, predictLogits } from '../model/forward.ts'
import { identity } from '../linalg/matrix.ts'
import {
  type Layer,
  atLayer,
  hiddenSpaces,
  layerIn,
  layerOut,
  layerRange,
  mapSpaces,
} from '../model/indices.ts'
import { createProblem } from '../rotation/problem.ts'
import { createProblemFor, transformOf } from '../rotation/transform.ts'
import { runRestarts } from '../rotation/restarts.ts'
import { layerMetrics } from '../sparsity/layer-metrics.ts'
import { type BasisSet, baselineSet, libSummary } from './baseline-sets.ts'
import { faithfulnessOf } from './faithfulness-of.ts'
import { featureInputsArtifact } from './feature-inputs.ts'
import type { AnalysesSummary, FaithfulnessOfBasis, HeldOutMetrics } from '../api/summary.ts'

import { type AnalysisContext, BASELINE_NAMES, type BaselineName } from './analysis-context.ts'

export type { AnalysisContext, BaselineName } from './analysis-context.ts'
export { BASELINE_NAMES } from './analysis-context.ts'

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
  const objectiveMeanAbs = (name: string, set: BasisSet, k: Layer): Float32Array => {
    const key = `${name}:${k}`
    let m = meanAbsCache.get(key)
    if (!m) {
      const data = atLayer(ctx.objectiveData, k)
      m = layerMetrics(data, set.in[layerIn(k)], set.out[layerOut(k)], [], undefined, {
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
  // Re-optimizations (generalization, restarts) start every free space at the identity.
  const identityStart = () =>
    mapSpaces(ctx.params.sizes, (d, s) => (ctx.free.includes(s) ? identity(d) : null))

  if (a.baselines) {
    // The simple bases depend only on the model, the data and the inputs: computed once.
    const known = ctx.baselineCache?.get() ?? null
    const cached: CachedBaselines = known ?? {
      rows: layerRange(L).map((k) => {
        const bases: Record<string, HeldOutMetrics> = {}
        for (const name of BASELINE_NAMES.filter((b) => b !== 'neuron')) {
          const b = basesOf(name)
          bases[name] = ctx.heldOut(k, b.in[layerIn(k)], b.out[layerOut(k)])
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
    out.baselinesFromCache = known !== null
    advance(known ? 'baselines (from earlier runs of this model)' : 'baselines')
  }

  if (a.generalization) {
    out.generalization = []
    const rot = ctx.config.rotation
    for (const k of layerRange(L)) {
      // Each layer's output basis, learned again from fewer inputs.
      const mine = ctx.free.filter((s) => s === layerOut(k))
      if (!mine.length) continue
      const points: NonNullable<AnalysesSummary['generalization']>[number]['points'] = []
      for (const n of a.generalization.sizes.filter((s) => s <= ctx.objectiveData[0].n)) {
        const idx = Array.from({ length: n }, (_, i) => i)
        const data = ctx.objectiveData.map((d) => subsetLayerData(d, idx))
        const start = identityStart()
        const problem = createProblemFor(kind, {
          data,
          bases: start,
          free: mine,
          layers: [k],
          measure: ctx.measure,
        })
        const result = await ctx.optimizer.optimize(
          problem,
          mine.map((s) => start[s]!),
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
          heldOut: ctx.heldOut(
            k,
            start[layerIn(k)],
            transformOf(kind, result.rotations[0]).forward,
          ),
        })
      }
      out.generalization.push({ layer: k, points })
    }
    advance('generalization')
  }

  if (a.restarts) {
    out.restarts = []
    const rot = ctx.config.rotation
    for (const k of layerRange(L)) {
      if (!ctx.free.includes(layerOut(k))) continue
      const problem = createProblem({
        data: ctx.objectiveData,
        bases: identityStart(),
        free: [layerOut(k)],
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
    for (const k of layerRange(L)) {
      const ks = connectionCounts(
        ctx.params.sizes[layerOut(k)] * ctx.params.sizes[layerIn(k)],
        a.faithfulness.points,
      )
      const bases: Record<string, FaithfulnessOfBasis> = {}
      for (const [name, set] of sets) {
        bases[name] = faithfulnessOf(ctx, set, k, ks, full, {
          ranking: objectiveMeanAbs(name, set, k),
          importance: directionImportance(ctx.params, set.out, layerIn(k), rankX, rankN, set.in),
        })
        check(ctx.signal)
      }
      out.faithfulness.push({
        layer: k,
        fullAccuracy: full,
        nodeSpace: layerIn(k),
        nodeRanking: ctx.objectiveX ? 'objective' : 'held-out',
        bases,
      })
    }
    advance('faithfulness')
  }

  if (a.circuit) {
    const layers = layerRange(L).map((k) => ({
      layer: k,
      rows: ctx.params.sizes[layerOut(k)],
      cols: ctx.params.sizes[layerIn(k)],
      data: objectiveMeanAbs('learned', learned, k),
    }))
    out.circuit = circuitGraph(layers, { edgesPerLayer: a.circuit.edgesPerLayer })
    advance('circuit graph')
  }

  if (a.features) {
    out.features = []
    const n = ctx.yTest.length
    const dim = ctx.params.sizes[0]
    for (const space of hiddenSpaces(L)) {
      const d = ctx.params.sizes[space]
      const values = rotatedActivations(ctx.params, ctx.bases[space] ?? null, space, ctx.xTest, n)
      const top = topPerColumn(values, n, d, a.features.top)
      out.features.push({
        space,
        top: top.map((row) => Array.from(row, (i) => ctx.testIndices[i])),
        spread: Array.from(activationSpread(values, n, d)),
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
