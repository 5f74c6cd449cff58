import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRunConfig } from '../../core/experiment/config.ts'
import { type MetricRecord, type RunArtifact, runPipeline } from '../../core/experiment/pipeline.ts'
import type { ProgressEvent } from '../../core/experiment/progress.ts'
import { orthogonalityError } from '../../core/linalg/matrix.ts'
import { readRotationsSafetensors } from '../../core/model/io/export.ts'
import { importSafetensorsModel } from '../../core/model/io/import-safetensors.ts'

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

    expect(s.backend).toMatch(/^(wasm|cpu|tensorflow)$/)
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
    expect(phases).toEqual(['data', 'train', 'evaluate', 'rotate', 'verify', 'save'])
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

  it('refuses more objective inputs than the train list holds, naming the field', async () => {
    const config = small({ samples: 5000 })
    await expect(runPipeline(config, { outDir: null })).rejects.toThrow(/rotation\.samples/)
  })
})
