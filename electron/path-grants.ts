import { resolve } from 'node:path'
import { isReallyWithin } from '../core/data/paths.ts'
import type { PickPathRequest } from '../core/api/bridge.ts'
import { commands } from '../core/api/contract.ts'
import { fileParamsOf, paramAt } from '../core/api/commands/file-params.ts'

/**
 * Which paths the page may name in a command (DESIGN.md §5, "no writes outside what the user
 * chose"). The service takes any path, as the CLI does; the desktop page may not:
 *
 * - A **write** param (`FILE_PARAMS` access `write`: `projects.export` destination,
 *   `runs.export` directory) must be exactly a path the user just chose in a main-process
 *   dialog of the kind that param needs (a save dialog for a file, a folder dialog for a
 *   folder). Such a grant is used up by the request that names it and lapses after
 *   `GRANT_TTL_MS`; an absent write param (the service would pick a default place) is refused
 *   as well, so every write the page asks for went through a dialog.
 * - A **copying read** (`projects.import` source, `projects.restore` path: the whole file is
 *   copied into the workspace, where the page can then read all of it) must be inside the
 *   workspace, or a file just chosen in an open dialog (single use, short-lived, as above).
 *   Anything else would let the page pull any readable file into its reach.
 * - Other reads (a run's model and data files, typed into the new-run form, for which no
 *   dialog exists) pass: the worker admits only files that parse as their declared format,
 *   within the sizes it declares, and copies nothing else.
 * - Any other kind of path param (project references) must resolve inside the workspace,
 *   where the desktop app keeps every project (files from elsewhere come in by import, a
 *   copy); a project id resolves there too.
 *
 * A save dialog asks before replacing a file (`showOverwriteConfirmation`), so its grant
 * carries that confirmation: the request may say `overwrite: true`, and when it says nothing
 * and the command has an `overwrite` param, main adds `overwrite: true` for it. A folder
 * dialog confirms nothing, so `overwrite: true` with its grant is refused.
 *
 * Pure apart from the clock it is given; main.ts records a grant after each dialog and asks
 * `admit` before a request reaches the service.
 */

/** How long a dialog's choice stays usable: the page names it right after the dialog closes. */
export const GRANT_TTL_MS = 60_000
/** At most this many unused grants are kept (the oldest go first). */
export const MAX_GRANTS = 16

/** The kinds of native dialog `pickPath` opens (electron/dialogs.ts). */
export type DialogKind = 'open-file' | 'save-file' | 'directory'

export function dialogKindOf(request: PickPathRequest): DialogKind {
  switch (request.kind) {
    case 'open-project':
      return 'open-file'
    case 'save-project':
      return 'save-file'
    case 'directory':
      return 'directory'
  }
}

/** The dialog whose choice grants each write param, by `command.field`. */
export const WRITE_DIALOGS: Readonly<Record<string, DialogKind>> = {
  'projects.export.destination': 'save-file',
  'runs.export.directory': 'directory',
}

/** Reads that copy a whole file into the workspace: inside it, or an open dialog's choice. */
export const COPYING_READS: ReadonlySet<string> = new Set([
  'projects.import.source',
  'projects.restore.path',
])

interface Grant {
  readonly path: string
  readonly dialog: DialogKind
  readonly expiresAt: number
  readonly overwriteConfirmed: boolean
}

/** A page request's command and params, as the envelope check let them through. */
export interface PageRequest {
  readonly id: string | number
  readonly command: string
  readonly params?: unknown
}

export type Admission =
  | { readonly ok: true; readonly request: PageRequest }
  | { readonly ok: false; readonly field: string; readonly message: string }

/** True when `path` is the workspace folder or inside it, symlinks resolved (a link out of the workspace leads outside). */
export function isInside(workspace: string, path: string): boolean {
  return isReallyWithin(workspace, resolve(workspace, path))
}

function hasOverwriteParam(command: string): boolean {
  const spec = (commands as Record<string, { params: unknown }>)[command]
  const shape = (spec?.params as { shape?: Record<string, unknown> } | undefined)?.shape
  return !!shape && Object.hasOwn(shape, 'overwrite')
}

const DIALOG_WORDS: Record<DialogKind, string> = {
  'open-file': 'an open dialog',
  'save-file': 'a save dialog',
  directory: 'a folder dialog',
}

export class PathGrants {
  private grants: Grant[] = []
  private readonly now: () => number
  private readonly ttlMs: number

  constructor(options: { now?: () => number; ttlMs?: number } = {}) {
    this.now = options.now ?? Date.now
    this.ttlMs = options.ttlMs ?? GRANT_TTL_MS
  }

  /** Records what the user chose in the dialog `request` opened. */
  record(request: PickPathRequest, path: string): void {
    const dialog = dialogKindOf(request)
    this.prune()
    this.grants.push({
      path: resolve(path),
      dialog,
      expiresAt: this.now() + this.ttlMs,
      overwriteConfirmed: dialog === 'save-file',
    })
    if (this.grants.length > MAX_GRANTS) this.grants.splice(0, this.grants.length - MAX_GRANTS)
  }

  /** Unused grants still valid now (for tests and diagnostics). */
  get pending(): number {
    this.prune()
    return this.grants.length
  }

  /**
   * Whether the page may send `request`: every path param checked against the rules above.
   * Admitted requests use up the grants they name (all or none) and may gain
   * `overwrite: true`; refused ones change nothing.
   */
  admit(request: PageRequest, workspace: string): Admission {
    this.prune()
    const used: Grant[] = []
    let overwriteConfirmed: boolean | null = null
    for (const param of fileParamsOf(request.command)) {
      const key = `${request.command}.${param.field}`
      const value = paramAt(request.params, param.field)
      const named = typeof value === 'string' ? resolve(workspace, value) : null
      const refuse = (why: string): Admission => ({
        ok: false,
        field: param.field,
        message: `${param.field}: ${why}`,
      })
      switch (param.access) {
        case 'write': {
          const dialog = WRITE_DIALOGS[key]
          if (!dialog) return refuse(`the app cannot write here (${key} has no dialog)`)
          if (named === null) {
            return refuse(`choose where to write in ${DIALOG_WORDS[dialog]} first`)
          }
          const grant = this.find(named, dialog, used)
          if (!grant) {
            return refuse(
              `${named} was not just chosen in ${DIALOG_WORDS[dialog]}; the app writes only ` +
                `where you chose, once, within ${Math.round(this.ttlMs / 1000)} s`,
            )
          }
          used.push(grant)
          overwriteConfirmed = (overwriteConfirmed ?? true) && grant.overwriteConfirmed
          break
        }
        case 'read': {
          if (!COPYING_READS.has(key) || named === null || isInside(workspace, named)) break
          const grant = this.find(named, 'open-file', used)
          if (!grant) {
            return refuse(
              `${named} is outside the workspace and was not just chosen in an open dialog`,
            )
          }
          used.push(grant)
          break
        }
        default:
          if (named !== null && !isInside(workspace, named)) {
            return refuse(`${named} is outside the workspace ${workspace}`)
          }
      }
    }
    const admitted = this.withOverwrite(request, overwriteConfirmed)
    if (!admitted.ok) return admitted
    this.grants = this.grants.filter((g) => !used.includes(g))
    return admitted
  }

  /** Applies what the dialogs confirmed to the request's `overwrite` param. */
  private withOverwrite(request: PageRequest, confirmed: boolean | null): Admission {
    if (confirmed === null || !hasOverwriteParam(request.command)) return { ok: true, request }
    const asked = paramAt(request.params, 'overwrite')
    if (asked === true && !confirmed) {
      return {
        ok: false,
        field: 'overwrite',
        message: 'overwrite: the folder dialog did not ask about replacing files; choose again',
      }
    }
    if (asked !== undefined || !confirmed) return { ok: true, request }
    const params = { ...(request.params as Record<string, unknown>), overwrite: true }
    return { ok: true, request: { ...request, params } }
  }

  private find(path: string, dialog: DialogKind, taken: readonly Grant[]): Grant | undefined {
    return this.grants.find((g) => g.path === path && g.dialog === dialog && !taken.includes(g))
  }

  private prune(): void {
    const now = this.now()
    this.grants = this.grants.filter((g) => g.expiresAt > now)
  }
}
