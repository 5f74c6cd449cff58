import type { z } from 'zod'
import { type CommandName, commands } from '../contract.ts'
import { projectRefSchema } from './fields.ts'

/**
 * The command params that name a file or folder on the machine running the service, and
 * whether the command reads or writes there. Declared once; the hosts derive who may name
 * which path from it (web mode: only inside the workspace, the rest through browser
 * download/upload; Electron: a write only to a path the user chose in a main-process save
 * dialog). The service itself takes any path, as the CLI does.
 *
 * - `read` / `write`: a path the command reads or writes.
 * - `project`: a project reference (`projectRefSchema`): a project id, which names no path,
 *   or the path of a project file the command opens, and may change (runs are written into
 *   it, it may be renamed or deleted).
 *
 * `field` is a dotted path into the params (`config.model.file`); a param that is absent, or
 * not a string there, names no file.
 */
export type FileAccess = 'read' | 'write' | 'project'

export interface FileParam {
  /** The params field holding the path, dotted when nested (`config.data.split.file`). */
  readonly field: string
  readonly access: FileAccess
}

/** Path params besides project references, by command. */
const PATH_PARAMS: Partial<Record<CommandName, readonly FileParam[]>> = {
  'projects.export': [{ field: 'destination', access: 'write' }],
  'runs.export': [{ field: 'directory', access: 'write' }],
  'projects.import': [{ field: 'source', access: 'read' }],
  'projects.restore': [{ field: 'path', access: 'read' }],
  // The run config's input files (core/api/config/sections.ts), read by the run's worker.
  'runs.start': [
    { field: 'config.model.file', access: 'read' },
    { field: 'config.data.split.file', access: 'read' },
    { field: 'config.data.trainImages', access: 'read' },
    { field: 'config.data.trainLabels', access: 'read' },
    { field: 'config.data.testImages', access: 'read' },
    { field: 'config.data.testLabels', access: 'read' },
  ],
}

/** Every top-level param of a command whose schema is the project reference itself. */
function projectRefParams(command: CommandName): FileParam[] {
  const shape = (commands[command].params as unknown as z.ZodObject).shape as Record<
    string,
    unknown
  >
  return Object.keys(shape)
    .filter((key) => shape[key] === projectRefSchema)
    .map((field) => ({ field, access: 'project' as const }))
}

export const FILE_PARAMS: Partial<Record<CommandName, readonly FileParam[]>> = Object.fromEntries(
  (Object.keys(commands) as CommandName[])
    .map((c) => [c, [...projectRefParams(c), ...(PATH_PARAMS[c] ?? [])]] as const)
    .filter(([, params]) => params.length > 0),
)

/** The file params of one command (none for most). */
export function fileParamsOf(command: string): readonly FileParam[] {
  return Object.hasOwn(FILE_PARAMS, command) ? FILE_PARAMS[command as CommandName]! : []
}

/** The value at a (dotted) param field; undefined when the params have nothing there. */
export function paramAt(params: unknown, field: string): unknown {
  let value: unknown = params
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}
