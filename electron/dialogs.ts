import { join } from 'node:path'
import type { OpenDialogOptions, SaveDialogOptions } from 'electron'
import type { PickPathRequest } from '../core/api/bridge.ts'

/** Native file dialogs for `bridge.pickPath`, as pure option builders (unit-tested). */

export const PROJECT_EXTENSION = 'basiscope'

const PROJECT_FILTERS = [
  { name: 'Basiscope project', extensions: [PROJECT_EXTENSION] },
  { name: 'All files', extensions: ['*'] },
]

export type DialogSpec =
  { kind: 'open'; options: OpenDialogOptions } | { kind: 'save'; options: SaveDialogOptions }

/**
 * A suggested file name the page cannot turn into a path: separators, control and reserved
 * characters become `_`, leading dots go (no hidden or `..` names), and it ends in .basiscope.
 */
export function safeProjectFileName(name: string): string {
  let base = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .trim()
    .replace(/^\.+/, '')
  if (base.toLowerCase().endsWith(`.${PROJECT_EXTENSION}`)) {
    base = base.slice(0, -(PROJECT_EXTENSION.length + 1))
  }
  base = base.slice(0, 120).trim()
  return `${base || 'project'}.${PROJECT_EXTENSION}`
}

/** Where dialogs start: projects are opened from the workspace, exports go outside it. */
export interface DialogDirs {
  readonly workspace: string
  /** The user's Downloads folder. */
  readonly exports: string
}

/** The dialog a request opens. */
export function dialogFor(request: PickPathRequest, dirs: DialogDirs): DialogSpec {
  switch (request.kind) {
    case 'open-project':
      return {
        kind: 'open',
        options: {
          title: 'Open project',
          defaultPath: dirs.workspace,
          properties: ['openFile'],
          filters: PROJECT_FILTERS,
        },
      }
    case 'save-project':
      return {
        kind: 'save',
        options: {
          title: 'Export project',
          defaultPath: join(dirs.exports, safeProjectFileName(request.defaultName)),
          filters: PROJECT_FILTERS,
          properties: ['createDirectory', 'showOverwriteConfirmation'],
        },
      }
    case 'directory':
      return {
        kind: 'open',
        options: {
          title: request.title,
          defaultPath: dirs.exports,
          properties: ['openDirectory', 'createDirectory'],
        },
      }
  }
}

/** The chosen path from a dialog result, or null when cancelled. */
export function chosenPath(
  result: { canceled: boolean; filePaths?: string[]; filePath?: string } | undefined,
): string | null {
  if (!result || result.canceled) return null
  const path = result.filePath ?? result.filePaths?.[0]
  return path ? path : null
}
