import { resolve } from 'node:path'
import { isWithin, realPathOf } from '../data/paths.ts'
import { type FileParam, fileParamsOf, paramAt } from '../api/commands/file-params.ts'
import { type Reply, replyIdOf } from '../api/contract.ts'
import { PROJECT_ID } from '../service/project-registry.ts'

/**
 * Web mode's path rule: a page may name server-side files (FILE_PARAMS: the command params
 * that hold paths) only inside the workspace folder, symlinks resolved, `..` and all. Files
 * leave and enter the machine through the browser instead: project and run exports as
 * downloads, projects as uploads (web-files.ts). The service takes any path, as the CLI does,
 * so the rule sits here, before a WebSocket message reaches it.
 */

/** What to do instead, by what the command does with the file. */
const INSTEAD: Record<FileParam['access'], string> = {
  write: 'download the file through the browser instead (Export)',
  read: 'upload it through the browser (Import), or copy it into the workspace folder',
  project: 'open projects of the workspace (by id), or import the file by upload',
}

function refusal(raw: unknown, field: string, message: string): Reply {
  return {
    id: replyIdOf(raw),
    ok: false,
    error: { code: 'INVALID_ARGUMENT', message, details: [{ path: field, message }] },
  }
}

/**
 * The refusal of a request naming a file outside `workspaceDir` (or naming no destination for
 * a write, whose default is outside it), or null when every path it names is inside. Requests
 * that are not well-formed pass: the service refuses them with its own message.
 */
export function outsideWorkspace(workspaceDir: string, raw: unknown): Reply | null {
  if (raw === null || typeof raw !== 'object') return null
  const { command, params } = raw as { command?: unknown; params?: unknown }
  if (typeof command !== 'string') return null
  const workspace = realPathOf(resolve(workspaceDir))
  for (const param of fileParamsOf(command)) {
    const value = paramAt(params, param.field)
    // A write left to its default (the export folder) would land outside the workspace.
    if (value === undefined && param.access === 'write') {
      return refusal(
        raw,
        param.field,
        `${command}: ${param.field}: web mode writes only inside the workspace folder ` +
          `${workspace}; name a destination there, or ${INSTEAD.write}`,
      )
    }
    if (typeof value !== 'string') continue // absent, or a wrong type the service refuses
    if (param.access === 'project' && PROJECT_ID.test(value)) continue
    const target = realPathOf(resolve(workspace, value))
    if (!isWithin(workspace, target)) {
      return refusal(
        raw,
        param.field,
        `${command}: ${param.field}: "${value}" is outside the workspace folder ${workspace}; ` +
          `web mode reads and writes files only there — ${INSTEAD[param.access]}`,
      )
    }
  }
  return null
}
