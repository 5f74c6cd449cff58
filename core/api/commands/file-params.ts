import type { CommandName } from '../contract.ts'

/**
 * The command params that name a file or folder on the machine running the service, and
 * whether the command reads or writes there. Declared once; the hosts derive who may name
 * which path from it (web mode: only inside the workspace, the rest through browser
 * download/upload; Electron: a write only to a path the user chose in a main-process save
 * dialog). The service itself takes any path, as the CLI does.
 */
export type FileAccess = 'read' | 'write'

export interface FileParam {
  /** The params field holding the path. */
  readonly field: string
  readonly access: FileAccess
}

export const FILE_PARAMS: Partial<Record<CommandName, readonly FileParam[]>> = {
  'projects.export': [{ field: 'destination', access: 'write' }],
  'runs.export': [{ field: 'directory', access: 'write' }],
  'projects.import': [{ field: 'source', access: 'read' }],
  'projects.restore': [{ field: 'path', access: 'read' }],
}

/** The file params of one command (none for most). */
export function fileParamsOf(command: string): readonly FileParam[] {
  return FILE_PARAMS[command as CommandName] ?? []
}
