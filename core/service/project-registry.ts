import { resolve } from 'node:path'
import { BasiscopeError } from '../errors.ts'
import { openProjectAsync } from '../store/open-async.ts'
import type { ProjectStore } from '../store/types.ts'
import type { Workspace } from '../store/workspace.ts'

/** A project the service has open: its file, its stable id and its store. */
export interface OpenProject {
  readonly path: string
  readonly id: string
  readonly store: ProjectStore
}

export interface RegistryHooks {
  /** Whether runs of the project at `path` are queued or running in this service. */
  isBusy(path: string): boolean
  /** Runs a crash left running, marked interrupted when the project was first opened. */
  onInterrupted(project: OpenProject, runIds: readonly number[]): void
}

/** Project ids are UUIDs (`crypto.randomUUID`); anything else names a file. */
export const PROJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The projects the service has open, one store per file, and the one rule that turns what a
 * command names into a file: a project id is looked up (open projects, then the workspace and
 * the recent projects); a path is resolved against the workspace folder (never the process's
 * working directory), so a relative name means the same in `projects.open` as in
 * `projects.rename`. Opening is asynchronous (see `openProjectAsync`): the first open of a
 * large file checks its integrity off the event loop.
 */
export class ProjectRegistry {
  private readonly open = new Map<string, Promise<OpenProject>>()

  constructor(
    private readonly workspace: Workspace,
    private readonly hooks: RegistryHooks,
  ) {}

  /** The absolute path of the project `ref` names (an id or a path). */
  async resolve(ref: string): Promise<string> {
    if (!PROJECT_ID.test(ref)) return resolve(this.workspace.dir, ref)
    for (const pending of this.open.values()) {
      const project = await pending.catch(() => null)
      if (project?.id === ref) return project.path
    }
    const found = this.workspace.findById(ref)
    if (found) return found
    throw new BasiscopeError(
      'NOT_FOUND',
      `no project with id ${ref} in the workspace ${this.workspace.dir} or the recent projects`,
      ref,
    )
  }

  /** The open project `ref` names, opening it on first use. */
  async get(ref: string): Promise<OpenProject> {
    const path = await this.resolve(ref)
    let pending = this.open.get(path)
    if (!pending) {
      pending = this.openFresh(path)
      this.open.set(path, pending)
      // A file that failed to open is tried afresh next time.
      pending.catch(() => {
        if (this.open.get(path) === pending) this.open.delete(path)
      })
    }
    return pending
  }

  private async openFresh(path: string): Promise<OpenProject> {
    const store = await openProjectAsync(path)
    const project = { path, id: store.info().id, store }
    // Only runs whose owner is gone (a crashed process) are marked: live runs of this or
    // another process are left alone (core/store/run-owner.ts).
    const interrupted = store.markInterrupted()
    if (interrupted.length > 0) this.hooks.onInterrupted(project, interrupted)
    return project
  }

  /** Closes the project's store (before its file is renamed, deleted or replaced). */
  async close(path: string): Promise<void> {
    const key = resolve(path)
    const pending = this.open.get(key)
    this.open.delete(key)
    const project = await pending?.catch(() => null)
    project?.store.close()
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((path) => this.close(path)))
  }

  /** Refuses to change a project's file while runs of it are queued or running. */
  assertIdle(path: string, action: string): void {
    if (this.hooks.isBusy(path)) {
      throw new BasiscopeError(
        'INVALID_ARGUMENT',
        `${path}: cannot ${action} while runs of this project are queued or running`,
        path,
      )
    }
  }
}
