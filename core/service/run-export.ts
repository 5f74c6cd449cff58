import type { ExportFileKind } from '../api/contract.ts'
import type { RunRecord } from '../api/records.ts'
import { writeJsonAtomic } from '../experiment/pipeline.ts'
import type { RunSummary } from '../experiment/summary.ts'
import { type Mat, mat } from '../linalg/matrix.ts'
import { exportRotatedWeightsSafetensors, exportRotationsSafetensors } from '../model/io/export.ts'
import {
  exportObliqueTransformsSafetensors,
  exportTransformedWeightsSafetensors,
} from '../model/io/export-oblique.ts'
import { type Activation, type MlpParams, layerSizes } from '../model/mlp.ts'
import { writeSafetensors } from '../model/io/safetensors.ts'
import type { ProjectStore } from '../store/types.ts'

/** One file a run can be exported as; `write` reads the artifacts it needs only when called. */
export interface RunExportFile {
  readonly kind: ExportFileKind
  readonly filename: string
  write(file: string): void
}

/**
 * The files of a run for Python (in this order): its bases (rotations, or an oblique run's
 * transforms T and T⁻¹, never passed off as rotations), the model, the mean-|J| heatmaps, the
 * weights seen through the bases, and the run record with its summary. Files whose
 * artifacts the run does not have (it may not have finished) are left out.
 */
export function runExportFiles(store: ProjectStore, run: RunRecord): RunExportFile[] {
  const runId = run.id
  const artifacts = store.listArtifacts(runId)
  const summary = store.runSummary(runId) as RunSummary | null
  const metadata = { run: String(runId), name: run.name }
  const matOf = (id: number): Mat => {
    const t = store.readArtifactTensor(id)!
    return mat(t.shape[0], t.shape[1], t.data)
  }
  const isHidden = (space: number) =>
    space > 0 && summary !== null && space < summary.model.layers.length - 1
  const hidden = (kind: string) =>
    artifacts
      .filter((a) => a.kind === kind)
      .map((a) => ({ space: Number((a.meta as { space: number }).space), id: a.id }))
      .filter((r) => isHidden(r.space))
      .sort((a, b) => a.space - b.space)
  const rotations = hidden('rotation')
  // Oblique runs store T as 'rotation' and T⁻¹ as 'transform-inverse'.
  const inverses = new Map(hidden('transform-inverse').map((r) => [r.space, r.id]))
  const oblique = inverses.size > 0
  const bases = () => rotations.map((r) => matOf(r.id))
  const transforms = () =>
    rotations
      .filter((r) => inverses.has(r.space))
      .map((r) => ({ forward: matOf(r.id), inverse: matOf(inverses.get(r.space)!) }))
  const asTensors = (list: typeof artifacts) =>
    list.map((a) => {
      const t = store.readArtifactTensor(a.id)!
      return {
        name: a.name,
        dtype: 'F32' as const,
        shape: [...t.shape],
        data: Float32Array.from(t.data),
      }
    })
  const weights = artifacts.filter((a) => a.kind === 'model-weight')
  const activation = (): Activation =>
    (weights[0].meta as { activation?: Activation }).activation ?? 'relu'
  const params = (): MlpParams => {
    const byName = new Map(asTensors(weights).map((t) => [t.name, t]))
    const layers = []
    for (let k = 1; byName.has(`fc${k}.weight`); k++) {
      const w = byName.get(`fc${k}.weight`)!
      layers.push({
        inDim: w.shape[1],
        outDim: w.shape[0],
        weight: w.data,
        bias: byName.get(`fc${k}.bias`)!.data,
      })
    }
    return { sizes: layerSizes(layers), activation: activation(), layers }
  }
  const heatmaps = artifacts.filter((a) => a.kind === 'mean-abs-jacobian')

  const files: RunExportFile[] = []
  if (rotations.length) {
    files.push(
      oblique
        ? {
            kind: 'rotations',
            filename: 'transforms.safetensors',
            write: (f) => exportObliqueTransformsSafetensors(transforms(), f, metadata),
          }
        : {
            kind: 'rotations',
            filename: 'rotations.safetensors',
            write: (f) => exportRotationsSafetensors(bases(), f, metadata),
          },
    )
  }
  if (weights.length) {
    files.push({
      kind: 'model',
      filename: 'model.safetensors',
      write: (f) =>
        writeSafetensors(f, asTensors(weights), {
          format: 'basiscope-mlp',
          activation: activation(),
        }),
    })
  }
  if (heatmaps.length) {
    files.push({
      kind: 'mean-abs-jacobians',
      filename: 'mean-abs-jacobians.safetensors',
      write: (f) => writeSafetensors(f, asTensors(heatmaps)),
    })
  }
  if (rotations.length && weights.length) {
    files.push(
      oblique
        ? {
            kind: 'rotated-weights',
            filename: 'transformed-weights.safetensors',
            write: (f) => exportTransformedWeightsSafetensors(params(), transforms(), f, metadata),
          }
        : {
            kind: 'rotated-weights',
            filename: 'rotated-weights.safetensors',
            write: (f) => exportRotatedWeightsSafetensors(params(), bases(), f, metadata),
          },
    )
  }
  files.push({
    kind: 'run-json',
    filename: 'run.json',
    write: (f) => writeJsonAtomic(f, { run, summary }),
  })
  return files
}
