import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventMessage, Reply } from '../../core/api/contract.ts'
import type { ProjectInfo, RunRecord } from '../../core/api/records.ts'
import type { RunSummary } from '../../core/api/summary.ts'
import { parseRunConfig } from '../../core/experiment/config.ts'
import { type RunArtifact, runPipeline } from '../../core/experiment/pipeline.ts'
import { type Mat, identity, mat, matmul } from '../../core/linalg/matrix.ts'
import { readSafetensors } from '../../core/model/io/safetensors.ts'
import { columnNormError } from '../../core/rotation/oblique/manifold.ts'
import { BasiscopeService } from '../../core/service/service.ts'

/** The brief's tiny oblique run. */
const obliqueConfig = {
  data: { source: 'mnist-embedded', split: { kind: 'random', train: 400, test: 100, seed: 0 } },
  model: { source: 'train', hidden: [12, 8], epochs: 1 },
  rotation: { samples: 40, maxSteps: 30, measure: { name: 'hoyer' }, transform: 'oblique' },
}

const tensorMat = (file: ReturnType<typeof readSafetensors>, name: string): Mat => {
  const t = file.tensors.get(name)
  if (!t) throw new Error(`missing tensor ${name}`)
  return mat(t.shape[0], t.shape[1], t.data as Float32Array)
}

const maxAbs = (a: Mat, b: Mat): number =>
  a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0)

/** Logits of a 784-12-8-10 relu MLP for one input, from plain or transformed-weights files. */
function logitsOf(file: ReturnType<typeof readSafetensors>, transformed: boolean): number[] {
  let a = mat(
    784,
    1,
    Array.from({ length: 784 }, (_, i) => ((i * 37) % 101) / 101),
  )
  for (let k = 1; k <= 3; k++) {
    const w = tensorMat(file, transformed ? `fc${k}.weight_transformed_in` : `fc${k}.weight`)
    const b = file.tensors.get(`fc${k}.bias`)!.data as Float32Array
    const z = matmul(w, a)
    z.data.forEach((v, i) => (z.data[i] = v + b[i]))
    if (k === 3) return [...z.data]
    const h = mat(
      z.rows,
      1,
      z.data.map((v) => Math.max(0, v)),
    )
    a = transformed ? matmul(tensorMat(file, `T${k}`), h) : h
  }
  return [...a.data]
}

describe('oblique transforms end to end', () => {
  it('a pipeline run learns T_k, keeps the function, and reports and exports T and T⁻¹', async () => {
    const out = mkdtempSync(join(tmpdir(), 'basiscope-oblique-'))
    const artifacts: RunArtifact[] = []
    const s = await runPipeline(parseRunConfig(obliqueConfig), {
      outDir: out,
      onArtifact: (a) => artifacts.push(a),
    })
    // Written and read through the API view the clients use.
    const view: RunSummary = s
    expect(view.rotation.transform).toBe('oblique')
    expect(s.rotation.layers.map((l) => [l.optimized, l.optimizer])).toEqual([
      [true, 'oblique-adam'],
      [true, 'oblique-adam'],
      [false, null],
    ])
    for (const l of s.rotation.layers.filter((l) => l.optimized)) {
      expect(l.steps).toBe(30)
      expect(l.stopReason).toBe('steps')
      expect(l.objectiveEnd).toBeLessThan(l.objectiveStart)
    }
    // The new checks replace orthogonality for T.
    const o = s.rotation.oblique!
    expect(o.maxCondition).toBe(1e3)
    expect(o.spaces.map((x) => x.space)).toEqual([1, 2])
    expect(o.condition).toBeGreaterThan(1)
    expect(o.condition).toBeLessThan(o.maxCondition)
    expect(o.columnNormError).toBeLessThan(1e-6)
    expect(o.inverseError).toBeLessThan(1e-4)
    // T is not orthogonal: the old number now says how oblique the directions are (max |cos|).
    expect(s.rotation.orthogonalityError).toBeGreaterThan(1e-4)
    expect(s.rotation.orthogonalityError).toBeLessThan(1)
    // Function preservation with T and T⁻¹ inserted.
    expect(s.functionPreservation.maxAbsLogitDiff).toBeLessThan(1e-4)
    expect(s.functionPreservation.accuracyAfter).toBe(s.functionPreservation.accuracyBefore)

    // Artifacts: T as kind 'transform' (never as a rotation), T⁻¹ beside it; no rotation.
    expect(artifacts.filter((a) => a.kind === 'rotation')).toEqual([])
    const ts = artifacts.filter((a) => a.kind === 'transform')
    const inv = artifacts.filter((a) => a.kind === 'transform-inverse')
    expect(ts.map((a) => [a.name, a.meta])).toEqual([
      ['T1', expect.objectContaining({ space: 1, transform: 'oblique' })],
      ['T2', expect.objectContaining({ space: 2, transform: 'oblique' })],
    ])
    expect(inv.map((a) => a.name)).toEqual(['Tinv1', 'Tinv2'])

    // Files: transforms, never rotations.
    expect(s.artifacts.rotations).toBeNull()
    expect(s.artifacts.rotatedWeights).toBeNull()
    for (const f of [s.artifacts.transforms, s.artifacts.transformedWeights, s.artifacts.summary])
      expect(existsSync(f!)).toBe(true)
    const file = readSafetensors(s.artifacts.transforms!)
    expect(file.metadata.format).toBe('basiscope-oblique-transforms')
    for (const k of [1, 2]) {
      const t = tensorMat(file, `T${k}`)
      const tinv = tensorMat(file, `Tinv${k}`)
      expect(maxAbs(matmul(t, tinv), identity(t.rows))).toBeLessThan(1e-4)
      expect(columnNormError(tinv)).toBeLessThan(1e-6)
    }
    const weights = readSafetensors(s.artifacts.transformedWeights!)
    const plain = readSafetensors(join(out, 'model.safetensors'))
    expect(logitsOf(weights, true)).toEqual(logitsOf(plain, false).map((v) => expect.closeTo(v, 4)))
  })

  describe('service', () => {
    const services: BasiscopeService[] = []
    afterEach(async () => {
      for (const s of services.splice(0)) await s.close()
    })

    it('runs an oblique job and exports transforms (not rotations) for Python', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'basiscope-oblique-svc-'))
      const service = new BasiscopeService({ workspaceDir: dir })
      services.push(service)
      let id = 1
      const call = async <T>(command: string, params: unknown = {}): Promise<T> => {
        const reply: Reply = await service.handle({ id: id++, command, params })
        if (!reply.ok) throw new Error(`${command}: ${reply.error.code} ${reply.error.message}`)
        return reply.value as T
      }
      const project = await call<ProjectInfo>('projects.create', { name: 'Oblique' })
      const done = new Promise<EventMessage>((resolve) =>
        service.subscribe((m) => {
          if (m.event === 'run.status' && ['completed', 'failed'].includes(m.payload.status))
            resolve(m)
        }),
      )
      const { run } = await call<{ run: RunRecord }>('runs.start', {
        project: project.path,
        config: obliqueConfig,
      })
      expect((await done).payload).toMatchObject({ runId: run.id, status: 'completed' })

      const { files } = await call<{ files: string[] }>('runs.export', {
        project: project.path,
        runId: run.id,
        directory: join(dir, 'export'),
      })
      expect(files.map((f) => f.split('/').pop()).sort()).toEqual([
        'mean-abs-jacobians.safetensors',
        'model.safetensors',
        'run.json',
        'transformed-weights.safetensors',
        'transforms.safetensors',
      ])
      const transformed = readSafetensors(
        files.find((f) => f.endsWith('transformed-weights.safetensors'))!,
      )
      const plain = readSafetensors(files.find((f) => f.endsWith('/model.safetensors'))!)
      expect(logitsOf(transformed, true)).toEqual(
        logitsOf(plain, false).map((v) => expect.closeTo(v, 4)),
      )
      // Asking for "rotations" of an oblique run gets its transforms, named as such.
      const asked = await call<{ filename: string }>('runs.exportFile', {
        project: project.path,
        runId: run.id,
        kind: 'rotations',
      })
      expect(asked.filename).toBe(`run-${run.id}-transforms.safetensors`)
    })
  })
})
