import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { basisArtifacts } from '../api/artifacts.ts'
import type { ExportFileKind } from '../api/commands/runs.ts'
import type { StoredRunSummary } from '../api/summary.ts'
import { writeJsonAtomic } from '../data/write-file.ts'
import { type Mat, mat } from '../linalg/matrix.ts'
import { exportRotatedWeightsSafetensors, exportRotationsSafetensors } from '../model/io/export.ts'
import {
  exportObliqueTransformsSafetensors,
  exportTransformedWeightsSafetensors,
} from '../model/io/export-oblique.ts'
import { type Activation, type MlpParams, layerSizes } from '../model/mlp.ts'
import { readSafetensors, writeSafetensors } from '../model/io/safetensors.ts'

/**
 * The one writer of a run's files, for the CLI's `--out` folder and a project's export
 * alike: its bases (rotations, or an oblique run's transforms T and T⁻¹, never passed off
 * as rotations), the model, the mean-|J| heatmaps, the weights seen through the bases, and
 * the summary. Files whose artifacts the run does not have (it may not have finished) are
 * left out.
 */

/** An artifact as a run keeps it: its kind, name and meta, and its tensor on demand. */
export interface StoredArtifact {
  readonly id: number
  readonly kind: string
  readonly name: string
  readonly meta: unknown
}

export interface ArtifactSource {
  readonly artifacts: readonly StoredArtifact[]
  tensor(id: number): { readonly shape: readonly number[]; readonly data: Float32Array }
}

/** One file a run can be exported as; `write` reads the artifacts it needs only when called. */
export interface RunExportFile {
  readonly kind: ExportFileKind
  readonly filename: string
  write(file: string): void
}

export function runFiles(
  source: ArtifactSource,
  summary: StoredRunSummary | null,
  /**
   * The summary file: `run.json` holding the run record in exports, `summary.json` for
   * --out; its value is read when the file is written (a summary can name its own files).
   */
  json: { readonly filename: string; readonly value: () => unknown },
  metadata: Record<string, string>,
): RunExportFile[] {
  const { artifacts } = source
  const matOf = (id: number): Mat => {
    const t = source.tensor(id)
    return mat(t.shape[0], t.shape[1], t.data)
  }
  const isHidden = (space: number) =>
    space > 0 && summary !== null && space < summary.model.layers.length - 1
  const bases = basisArtifacts(artifacts).filter((b) => isHidden(b.space))
  const oblique = bases.some((b) => b.kind === 'oblique')
  const rotations = () => bases.map((b) => matOf(b.forward))
  const transforms = () =>
    bases.flatMap((b) =>
      b.inverse === null ? [] : [{ forward: matOf(b.forward), inverse: matOf(b.inverse) }],
    )
  const asTensors = (list: readonly StoredArtifact[]) =>
    list.map((a) => {
      const t = source.tensor(a.id)
      return { name: a.name, dtype: 'F32' as const, shape: [...t.shape], data: t.data }
    })
  const weights = artifacts.filter((a) => a.kind === 'model-weight')
  const activation = (): Activation =>
    (weights[0].meta as { activation?: Activation }).activation ?? 'relu'
  const params = (): MlpParams => paramsOf(asTensors(weights), activation())
  const heatmaps = artifacts.filter((a) => a.kind === 'mean-abs-jacobian')

  const files: RunExportFile[] = []
  if (bases.length) {
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
            write: (f) => exportRotationsSafetensors(rotations(), f, metadata),
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
  if (bases.length && weights.length) {
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
            write: (f) => exportRotatedWeightsSafetensors(params(), rotations(), f, metadata),
          },
    )
  }
  files.push({
    kind: 'run-json',
    filename: json.filename,
    write: (f) => writeJsonAtomic(f, json.value()),
  })
  return files
}

/** The MLP from its `fc{k}.weight` / `fc{k}.bias` tensors. */
function paramsOf(
  tensors: readonly { name: string; shape: number[]; data: Float32Array }[],
  activation: Activation,
): MlpParams {
  const byName = new Map(tensors.map((t) => [t.name, t]))
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
  return { sizes: layerSizes(layers), activation, layers }
}

/** A tensor of an export file, as .npy exports and listings take it. */
export interface NamedTensor {
  readonly name: string
  readonly shape: number[]
  readonly data: Float32Array
}

/** Writes an export file into a scratch folder, reads what `read` wants of it, removes it. */
function throughScratch<T>(entry: RunExportFile, read: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'basiscope-export-'))
  try {
    const file = join(dir, entry.filename)
    entry.write(file)
    return read(file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** An export file's bytes (for a download). */
export function exportFileContent(entry: RunExportFile): Buffer {
  return throughScratch(entry, (file) => readFileSync(file))
}

/** The tensors of a safetensors export file, in the order it lists them (none for JSON). */
export function exportFileTensors(entry: RunExportFile): NamedTensor[] {
  if (!entry.filename.endsWith('.safetensors')) return []
  return throughScratch(entry, (file) =>
    [...readSafetensors(file).tensors].map(([name, t]) => ({
      name,
      shape: [...t.shape],
      data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array),
    })),
  )
}
