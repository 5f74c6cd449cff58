import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ExportFileKind, ExportFormat } from '../api/commands/runs.ts'
import type { CommandResult } from '../api/contract.ts'
import type { RunRecord } from '../api/records.ts'
import { writeFileAtomic } from '../data/write-file.ts'
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

/** The folder `runs.export` writes into: made when missing; refused when a file is there. */
function exportFolder(directory: string): string {
  const dir = resolve(directory)
  let found: ReturnType<typeof statSync> | undefined
  try {
    found = statSync(dir)
  } catch {
    found = undefined
  }
  if (found && !found.isDirectory()) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `directory: ${dir} is ${found.isFile() ? 'a file' : 'not a folder'}; name a folder to write the run's files into`,
      'directory',
    )
  }
  if (!found) {
    try {
      mkdirSync(dir, { recursive: true })
    } catch (e) {
      throw new BasiscopeError(
        'INVALID_ARGUMENT',
        `directory: cannot make the folder ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        'directory',
      )
    }
  }
  return dir
}

/** One file `runs.export` writes, and how. */
interface PlannedFile {
  readonly file: string
  write(file: string): void
}

function plannedFiles(entries: readonly RunExportFile[], dir: string, format: ExportFormat) {
  return entries.flatMap((entry): PlannedFile[] => {
    if (format === 'npy' && entry.filename.endsWith('.safetensors')) {
      return exportFileTensors(entry).map((t) => ({
        file: join(dir, npyName(entry.kind, t.name)),
        write: (f) => writeFileAtomic(f, encodeNpy(t.shape, t.data)),
      }))
    }
    return [{ file: join(dir, entry.filename), write: (f) => entry.write(f) }]
  })
}

/**
 * Writes a run's export files into `directory` (made when missing); returns their paths.
 * Files already there are replaced only with `overwrite`; each file is written whole or not
 * at all (temp file + rename).
 */
export function exportRunFiles(
  store: ProjectStore,
  run: RunRecord,
  directory: string,
  format: ExportFormat,
  overwrite = false,
): string[] {
  const dir = exportFolder(directory)
  const planned = plannedFiles(runExportFiles(store, run), dir, format)
  const taken = planned.filter((p) => existsSync(p.file))
  if (taken.length > 0 && !overwrite) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `directory: ${dir} already holds ${taken.map((p) => p.file.slice(dir.length + 1)).join(', ')}; ` +
        'choose another folder, or pass overwrite: true to replace them',
      'directory',
    )
  }
  for (const p of planned) p.write(p.file)
  return planned.map((p) => p.file)
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
