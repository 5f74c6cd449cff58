import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRunConfig } from '../../core/experiment/config.ts'
import { type MetricRecord, type RunArtifact, runPipeline } from '../../core/experiment/pipeline.ts'
import type { ProgressEvent } from '../../core/experiment/progress.ts'
import { loadEmbeddedMnist, randomSplit } from '../../core/data/index.ts'
import { orthogonalityError } from '../../core/linalg/matrix.ts'
import { readRotationsSafetensors } from '../../core/model/io/export.ts'
import { importSafetensorsModel } from '../../core/model/io/import-safetensors.ts'

/** Every basis the analyses hold the learned one against, and the learned one. */
const EVERY_BASIS = ['jtj', 'learned', 'lib', 'neuron', 'pca', 'random']

const small = (rotation: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  parseRunConfig({
    data: { source: 'mnist-embedded', split: { kind: 'random', train: 600, test: 300, seed: 2 } },
    model: { source: 'train', hidden: [24, 16], epochs: 5, learningRate: 0.005 },
    rotation: { samples: 100, budgetSeconds: 20, maxSteps: 40, ...rotation },
    ...extra,
  })

describe('pipeline (train → rotate → evaluate → artifacts)', () => {
  it('runs the forward scheme end to end and keeps the function', async () => {
    const out = mkdtempSync(join(tmpdir(), 'basiscope-run-'))
    const events: ProgressEvent[] = []
    const metrics: MetricRecord[] = []
    const artifacts: RunArtifact[] = []
    const s = await runPipeline(small(), {
      outDir: out,
      onProgress: (e) => events.push(e),
      onMetric: (m) => metrics.push(m),
      onArtifact: (a) => artifacts.push(a),
    })

    expect(s.backend).toMatch(/^(onnx|tensorflow|wasm|cpu)$/)
    // The native kernels are installed with the app: the default run uses them.
    expect(s.backend).toBe('onnx')
    expect(s.compute?.threads).toBeGreaterThanOrEqual(1)
    expect(s.model.layers).toEqual([784, 24, 16, 10])
    expect(s.model.testAccuracy).toBeGreaterThan(0.6)
    expect(s.rotation.layers.map((l) => l.layer)).toEqual([1, 2, 3])
    // forward: R1 against layer 1, R2 against layer 2; layer 3 has nothing left free.
    expect(s.rotation.layers.map((l) => l.optimized)).toEqual([true, true, false])
    for (const l of s.rotation.layers.filter((l) => l.optimized)) {
      expect(l.steps).toBe(40)
      expect(l.objectiveEnd).toBeLessThan(l.objectiveStart)
      for (const m of [l.heldOut.before, l.heldOut.after]) {
        expect(m.nearZero).toBeGreaterThanOrEqual(0)
        expect(m.nearZero).toBeLessThanOrEqual(1)
        expect(m.hoyerSparsity).toBeGreaterThanOrEqual(0)
        expect(m.hoyerSparsity).toBeLessThanOrEqual(1)
      }
    }
    // Neuron basis before = identity rotations: layer-1 objective start equals held-out "before" scale.
    expect(s.rotation.orthogonalityError).toBeLessThanOrEqual(1e-4)
    expect(s.functionPreservation.maxAbsLogitDiff).toBeLessThanOrEqual(5e-4)
    expect(s.functionPreservation.accuracyAfter).toBe(s.functionPreservation.accuracyBefore)
    expect(s.functionPreservation.samples).toBe(300)

    // Artifacts exist and read back as what the summary describes.
    for (const f of Object.values(s.artifacts)) expect(existsSync(f!)).toBe(true)
    const rotations = readRotationsSafetensors(s.artifacts.rotations!, [784, 24, 16, 10])
    expect(rotations.map((r) => r.rows)).toEqual([24, 16])
    for (const r of rotations) expect(orthogonalityError(r)).toBeLessThan(1e-5)
    expect(importSafetensorsModel(s.artifacts.model!).sizes).toEqual([784, 24, 16, 10])
    expect(JSON.parse(readFileSync(s.artifacts.summary!, 'utf8')).functionPreservation).toEqual(
      s.functionPreservation,
    )

    // Progress: phases in order, fractions never go back, ends at 1.
    const phases = [...new Set(events.map((e) => e.phase))]
    expect(phases).toEqual(['data', 'train', 'evaluate', 'rotate', 'verify', 'analyses', 'save'])
    // The summary times every phase (the overview's breakdown).
    expect(Object.keys(s.phases)).toEqual(phases)
    for (let i = 1; i < events.length; i++)
      expect(events[i].fraction).toBeGreaterThanOrEqual(events[i - 1].fraction - 1e-12)
    expect(events.at(-1)!.fraction).toBe(1)

    // Every series point is reported: training per batch, the objective per optimizer step.
    const keys = new Set(metrics.map((m) => m.key))
    for (const k of [
      'train.loss',
      'train.accuracy',
      'objective.layer1',
      'objective.layer2',
      'gradNorm.layer2',
    ]) {
      expect(keys.has(k), k).toBe(true)
    }
    expect(metrics.filter((m) => m.key === 'objective.layer1')).toHaveLength(40)
    // The full objective at steps 1, 2, 4, …, 32 and the last one, ending at the stage's end value.
    const full = metrics.filter((m) => m.key === 'objectiveFull.layer1')
    expect(full.map((m) => m.step)).toEqual([1, 2, 4, 8, 16, 32, 40])
    expect(full.at(-1)!.value).toBeCloseTo(s.rotation.layers[0].objectiveEnd, 6)
    // Heatmaps for every layer in both bases, the rotations, and the weights.
    const names = artifacts.map((a) => a.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'layer1.neuron',
        'layer1.learned',
        'layer3.learned',
        'R1',
        'R2',
        'fc3.bias',
      ]),
    )
    const heat = artifacts.find((a) => a.name === 'layer2.learned')!
    expect(heat.shape).toEqual([16, 24])
    expect(heat.data).toHaveLength(16 * 24)
    // |J| histograms: every entry of every held-out input, in both bases.
    for (const l of s.rotation.layers) {
      for (const h of [l.histogram.before, l.histogram.after]) {
        expect(h.counts).toHaveLength(50)
        expect([h.log10Min, h.log10Max]).toEqual([-8, 2])
        const total = h.zeros + h.below + h.counts.reduce((a, b) => a + b, 0)
        expect(total).toBe(300 * l.shape[0] * l.shape[1])
      }
    }
  })

  it.each(['backward', 'joint'] as const)(
    'runs the %s scheme with random initial rotations',
    async (scheme) => {
      const s = await runPipeline(small({ scheme, init: 'random', maxSteps: 15 }), { outDir: null })
      expect(s.rotation.scheme).toBe(scheme)
      const optimized = s.rotation.layers.filter((l) => l.optimized).map((l) => l.layer)
      // backward settles R2 on layer 3, then R1 on layer 2; joint sees every layer at once.
      expect(optimized).toEqual(scheme === 'backward' ? [2, 3] : [1, 2, 3])
      expect(s.functionPreservation.maxAbsLogitDiff).toBeLessThanOrEqual(5e-4)
      expect(s.functionPreservation.accuracyAfter).toBe(s.functionPreservation.accuracyBefore)
      expect(s.rotation.orthogonalityError).toBeLessThanOrEqual(1e-4)
      expect(s.artifacts.summary).toBeNull()
    },
  )

  it('puts every analysis a config asks for into the summary (pairwise scheme)', async () => {
    const config = small(
      { scheme: 'pairwise', maxSteps: 10 },
      {
        analyses: {
          generalization: { sizes: [1, 10, 100], budgetSeconds: 5 },
          faithfulness: { points: 6 },
          circuit: { edgesPerLayer: 10 },
          features: { top: 4 },
          restarts: { starts: 3, budgetSeconds: 2 },
        },
      },
    )
    const artifacts: RunArtifact[] = []
    const s = await runPipeline(config, { outDir: null, onArtifact: (a) => artifacts.push(a) })
    const a = s.analyses
    // pairwise: both hidden spaces compared across the two layers that share them.
    expect(a.agreement!.map((g) => g.space)).toEqual([1, 2])
    for (const g of a.agreement!) {
      expect(g.meanAbsCos).toBeGreaterThan(0)
      expect(g.meanAbsCos).toBeLessThanOrEqual(1 + 1e-12)
      expect(g.chance).toBeGreaterThan(0)
    }
    // Baselines for every layer, in every simple basis and the learned one.
    expect(a.baselines!.map((b) => b.layer)).toEqual([1, 2, 3])
    for (const b of a.baselines!) {
      expect(Object.keys(b.bases).sort()).toEqual(EVERY_BASIS)
      // The neuron baseline is the run's "before".
      expect(b.bases.neuron.nearZero).toBeCloseTo(
        s.rotation.layers[b.layer - 1].heldOut.before.nearZero,
        10,
      )
    }
    expect(a.generalization!.map((g) => g.layer)).toEqual([1, 2])
    expect(a.generalization![0].points.map((p) => p.samples)).toEqual([1, 10, 100])
    expect(a.faithfulness).toHaveLength(3)
    const f1 = a.faithfulness![0]
    expect(Object.keys(f1.bases).sort()).toEqual(EVERY_BASIS)
    const curve = f1.bases.learned.curve
    expect(curve.at(-1)!.k).toBe(24 * 784)
    expect(curve.at(-1)!.accuracy).toBeCloseTo(f1.fullAccuracy, 10)
    // LIB is inserted as T⁻¹·T and keeps the function; its basis of space 2 keeps at most
    // as many directions as there are logits.
    expect(a.lib!.maxAbsLogitDiff).toBeLessThanOrEqual(5e-4)
    expect(a.lib!.accuracyAfter).toBe(a.lib!.accuracyBefore)
    expect(a.lib!.spaces.map((x) => x.space)).toEqual([1, 2])
    expect(a.lib!.spaces[1].kept).toBeLessThanOrEqual(10)
    // Exact searches: the fewest kept pass, and one fewer does not (layer 3, 16 → 10).
    const f3 = a.faithfulness![2]
    expect(f3.nodeSpace).toBe(2)
    for (const b of Object.values(f3.bases)) {
      for (const [t, fewest] of Object.entries(b.fewest)) {
        expect(fewest).not.toBeNull()
        expect(fewest!).toBeLessThanOrEqual(
          Math.min(
            ...b.curve
              .filter((p) => p.accuracy >= f3.fullAccuracy - Number(t) - 1e-12)
              .map((p) => p.k),
          ),
        )
      }
      for (const fewest of Object.values(b.fewestNodes)) {
        expect(fewest).not.toBeNull()
        expect(fewest!).toBeLessThanOrEqual(16)
      }
    }
    expect(a.circuit!.edges.length).toBe(30)
    expect(a.restarts!.map((r) => r.layer)).toEqual([1, 2])
    for (const r of a.restarts!) {
      expect(r.census.starts).toBe(3)
      expect(r.census.distinctMinima).toBeGreaterThanOrEqual(1)
      expect(r.census.distinctMinima).toBeLessThanOrEqual(3)
      expect(r.values).toHaveLength(3)
    }
    expect(a.features!.map((f) => f.space)).toEqual([1, 2])
    const test = new Set(randomSplit(10000, 600, 300, 2).test)
    expect(a.features![0].top).toHaveLength(24)
    for (const row of a.features![0].top) {
      expect(row).toHaveLength(4)
      for (const i of row) expect(test.has(i)).toBe(true)
    }
    // Every direction's spread is a real range; a dead direction's is exactly 0.
    expect(a.features![0].spread).toHaveLength(24)
    for (const v of a.features![0].spread!) expect(v).toBeGreaterThanOrEqual(0)
    const templates = artifacts.find((x) => x.name === 'layer1.templates')!
    expect(templates.shape).toEqual([24, 784])
    // The digits behind the indices, for clients that cannot read the dataset.
    const inputs = artifacts.filter((x) => x.kind === 'feature-inputs')
    expect(inputs.map((x) => x.name)).toEqual(['space1.top-inputs', 'space2.top-inputs'])
    expect(inputs[1].shape).toEqual([16, 4, 784])
    const mnist = loadEmbeddedMnist()
    const first = a.features![0].top[0][0]
    expect(Array.from(inputs[0].data.subarray(0, 784))).toEqual(
      Array.from(mnist.images.subarray(first * 784, (first + 1) * 784)),
    )
    expect(s.functionPreservation.maxAbsLogitDiff).toBeLessThanOrEqual(5e-4)
  })

  it.each(['pca', 'jtj', 'varimax'] as const)(
    'starts from the %s initialization and stays exact',
    async (init) => {
      const s = await runPipeline(
        small({ init, maxSteps: 5 }, { analyses: { baselines: false } }),
        { outDir: null },
      )
      expect(s.rotation.init).toBe(init)
      expect(s.rotation.orthogonalityError).toBeLessThanOrEqual(1e-4)
      expect(s.functionPreservation.maxAbsLogitDiff).toBeLessThanOrEqual(5e-4)
      expect(s.analyses.baselines).toBeUndefined()
    },
  )

  it('can be cancelled mid-rotation and says so', async () => {
    const controller = new AbortController()
    const run = runPipeline(small({ maxSteps: 100000, budgetSeconds: 60 }), {
      outDir: null,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'rotate') controller.abort()
      },
    })
    await expect(run).rejects.toThrow(/cancelled/)
  })

  it('refuses more objective inputs than the train list holds, naming the field', () => {
    // Checked with the config (so the New-run form shows it), before any data is read.
    expect(() => small({ samples: 5000 })).toThrow(/rotation\.samples/)
  })
})
