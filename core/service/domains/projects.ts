import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ProjectInfo } from '../../api/records.ts'
import { BasiscopeError } from '../../errors.ts'
import { uniquePath } from '../../store/files.ts'
import { slugify } from '../../store/names.ts'
import { PROJECT_EXTENSION } from '../../store/project-store.ts'
import { validateProjectFile } from '../../store/validate.ts'
import type { DomainHandlers, ServiceContext } from '../context.ts'

/**
 * Where a project export goes: `destination` (a path, resolved like every path against the
 * workspace), else a free `<name>.basiscope` in the export folder. Never into the workspace
 * folder itself, where the copy would show up as a second project with the same id.
 */
function exportDestination(ctx: ServiceContext, name: string, destination?: string): string {
  let dest: string
  if (destination !== undefined) dest = resolve(ctx.workspace.dir, destination)
  else {
    mkdirSync(ctx.exportDir, { recursive: true })
    dest = uniquePath(ctx.exportDir, slugify(name), PROJECT_EXTENSION)
  }
  if (dirname(dest) === ctx.workspace.dir) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `${dest} is in the workspace folder; export elsewhere, or use projects.duplicate for a copy here`,
      'destination',
    )
  }
  return dest
}

/**
 * Refuses an export onto an existing file unless `overwrite`, and even then unless that file
 * is a Basiscope project: a wrong name in a dialog must never cost a document of another kind
 * (it cannot be restored, while choosing another name costs nothing). The copy itself is
 * written under a temporary name and renamed into place (ProjectStore.exportTo).
 */
function checkExportTarget(dest: string, overwrite: boolean): void {
  const refuse = (problem: string) =>
    new BasiscopeError('INVALID_ARGUMENT', `destination: ${dest} ${problem}`, 'destination')
  let found: ReturnType<typeof statSync>
  try {
    found = statSync(dest)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') throw refuse(`cannot be used (${code ?? (e as Error).message})`)
    if (!existsSync(dirname(dest))) throw refuse(`cannot be made: its folder does not exist`)
    return
  }
  if (found.isDirectory()) throw refuse('is a folder; name the file to export to')
  if (!overwrite) {
    throw refuse(
      'already exists; choose another name, or pass overwrite: true to replace it (only a Basiscope project is ever replaced)',
    )
  }
  try {
    validateProjectFile(dest, { check: 'none' })
  } catch (e) {
    throw refuse(
      `is not a Basiscope project, so it is not replaced even with overwrite (${(e as Error).message})`,
    )
  }
}

/** `projects.*`: the workspace's project files, their trash and their notes. */
export function projectHandlers(ctx: ServiceContext): DomainHandlers<'projects'> {
  const { workspace, projects } = ctx
  const infoOf = async (ref: string): Promise<ProjectInfo> => (await projects.get(ref)).store.info()
  const remember = (path: string): void => {
    if (ctx.options.recordRecents !== false) workspace.addRecent(path)
  }
  /** Closes a project so its file can change; refused while its runs are active. */
  const release = async (ref: string, action: string): Promise<string> => {
    const file = await projects.resolve(ref)
    projects.assertIdle(file, action)
    await projects.close(file)
    return file
  }
  return {
    'projects.list': () => workspace.list(),
    'projects.recent': () => workspace.recent(),
    'projects.create': ({ name }) => {
      const path = workspace.create(name)
      remember(path)
      return infoOf(path)
    },
    'projects.open': async ({ path }) => {
      const info = await infoOf(path)
      remember(info.path)
      return info
    },
    'projects.rename': async ({ path, name }) => {
      const file = await release(path, 'rename the project')
      return infoOf(await workspace.rename(file, name))
    },
    'projects.duplicate': async ({ path, name }) =>
      infoOf(await workspace.duplicate(await projects.resolve(path), name)),
    'projects.delete': async ({ path, toTrash }) => {
      workspace.delete(await release(path, 'delete the project'), { toTrash })
      return null
    },
    'projects.trash': () => workspace.trashed(),
    'projects.restore': async ({ path }) => infoOf(await workspace.restore(path)),
    'projects.import': async ({ source }) =>
      infoOf(await workspace.importProject(resolve(workspace.dir, source))),
    'projects.export': async ({ path, destination, overwrite }) => {
      const { store } = await projects.get(path)
      const dest = exportDestination(ctx, store.info().name, destination)
      checkExportTarget(dest, overwrite)
      await store.exportTo(dest)
      return { destination: dest }
    },
    'projects.setNotes': async ({ path, notes }) => {
      const { store } = await projects.get(path)
      store.setNotes(notes)
      return store.info()
    },
  }
}
