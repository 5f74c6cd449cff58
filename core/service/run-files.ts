import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ExportFileKind, ExportFormat } from '../api/commands/runs.ts'
import type { CommandResult } from '../api/contract.ts'
import type { RunRecord } from '../api/records.ts'
import { BasiscopeError } from '../errors.ts'
import type { ProjectStore } from '../store/types.ts'
import { encodeNpy } from './npy.ts'
import { exportFileContent, exportFileTensors } from '../experiment/run-files.ts'
import { type RunExportFile, runExportFiles } from './run-export.ts'

/**
 * A run's export files delivered three ways — written into a folder (`runs.export`), one file
 * as bytes (`runs.exportFile`, which the web page downloads) and the list of what there is
 * (`runs.exportList`) — in either format: the safetensors files run-export.ts writes, or
 * one NumPy `.npy` per tensor taken from them.
 */

interface NamedTensor {
  readonly name: string
  readonly shape: number[]
  readonly data: Float32Array
}

function entryOf(store: ProjectStore, run: RunRecord, kind: ExportFileKind): RunExportFile {
  const entry = runExportFiles(store, run).find((e) => e.kind === kind)
  if (!entry) {
    throw new BasiscopeError(
      'NOT_FOUND',
      `run ${run.id} has no ${kind} to export (it may not have finished)`,
    )
  }
  return entry
}

/** The name of a tensor's `.npy` file: `<kind>.<tensor>.npy`. */
function npyName(kind: ExportFileKind, tensor: string): string {
  return `${kind}.${tensor}.npy`
}

/** The one tensor of an entry a `.npy` download asks for. */
function pickTensor(entry: RunExportFile, wanted: string | undefined): NamedTensor {
  if (!entry.filename.endsWith('.safetensors')) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `${entry.kind} is JSON only; use format "safetensors"`,
      'format',
    )
  }
  const tensors = exportFileTensors(entry)
  const names = tensors.map((t) => t.name).join(', ')
  if (wanted === undefined) {
    if (tensors.length === 1) return tensors[0]
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `tensor: ${entry.kind} holds ${tensors.length} tensors; name one of ${names}`,
      'tensor',
    )
  }
  const found = tensors.find((t) => t.name === wanted)
  if (!found) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `tensor: ${entry.kind} has no tensor "${wanted}"; it has ${names}`,
      'tensor',
    )
  }
  return found
}

/** Writes a run's export files into `directory`; returns their paths. */
export function exportRunFiles(
  store: ProjectStore,
  run: RunRecord,
  directory: string,
  format: ExportFormat,
): string[] {
  const dir = resolve(directory)
  mkdirSync(dir, { recursive: true })
  return runExportFiles(store, run).flatMap((entry) => {
    if (format === 'npy' && entry.filename.endsWith('.safetensors')) {
      return exportFileTensors(entry).map((t) => {
        const file = join(dir, npyName(entry.kind, t.name))
        writeFileSync(file, encodeNpy(t.shape, t.data))
        return file
      })
    }
    const file = join(dir, entry.filename)
    entry.write(file)
    return [file]
  })
}

/** One export file as bytes: only that file is written, to a scratch folder, and read. */
export function exportFileBytes(
  store: ProjectStore,
  run: RunRecord,
  kind: ExportFileKind,
  format: ExportFormat,
  tensor: string | undefined,
): CommandResult<'runs.exportFile'> {
  const entry = entryOf(store, run, kind)
  if (format === 'npy') {
    const t = pickTensor(entry, tensor)
    return {
      filename: `run-${run.id}-${npyName(kind, t.name)}`,
      mimeType: 'application/octet-stream',
      base64: encodeNpy(t.shape, t.data).toString('base64'),
    }
  }
  const bytes = exportFileContent(entry)
  return {
    filename: `run-${run.id}-${entry.filename}`,
    mimeType: entry.filename.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    base64: bytes.toString('base64'),
  }
}

/** What a run can be exported as, with the tensors (names and shapes) of each file. */
export function exportList(store: ProjectStore, run: RunRecord): CommandResult<'runs.exportList'> {
  return runExportFiles(store, run).map((entry) => ({
    kind: entry.kind,
    filename: entry.filename,
    tensors: exportFileTensors(entry).map(({ name, shape }) => ({ name, shape })),
  }))
}
