import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ProjectInfo } from '../../api/records.ts'
import { BasiscopeError } from '../../errors.ts'
import { uniquePath } from '../../store/files.ts'
import { slugify } from '../../store/names.ts'
import { PROJECT_EXTENSION } from '../../store/project-store.ts'
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
    'projects.export': async ({ path, destination }) => {
      const { store } = await projects.get(path)
      const dest = exportDestination(ctx, store.info().name, destination)
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
