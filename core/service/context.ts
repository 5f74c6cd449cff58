import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { CommandName } from '../api/contract.ts'
import type { Workspace } from '../store/workspace.ts'
import type { Handlers } from './dispatch.ts'
import type { EventHub } from './events.ts'
import type { InputExplorer } from './input-explorer.ts'
import type { JobRunner, WorkerFactory } from './jobs/runner.ts'
import type { ProjectRegistry } from './project-registry.ts'
import type { RunRecorder } from './run-recorder.ts'

export interface ServiceOptions {
  readonly workspaceDir: string
  readonly workerFactory?: WorkerFactory
  readonly concurrency?: number
  /** Keep the workspace's recent-projects list (the apps do; one-shot CLI commands do not). */
  readonly recordRecents?: boolean
  /** Directory of run-config presets (`*.json`); default: the app's resources/presets. */
  readonly presetsDir?: string
  /** Where exports go when no destination is given; default `defaultExportDir()`. */
  readonly exportDir?: string
}

/** What every domain's handlers work with. */
export interface ServiceContext {
  readonly options: ServiceOptions
  readonly workspace: Workspace
  readonly projects: ProjectRegistry
  readonly recorder: RunRecorder
  readonly runner: JobRunner
  readonly events: EventHub
  readonly exportDir: string
  /** One held-out input's Jacobians and the inputs to pick from, computed in the explore worker. */
  readonly explorer: InputExplorer
}

/** The handlers of the commands of one domain (`projects.*`, `runs.*`, …). */
export type DomainHandlers<D extends string> = Pick<
  Handlers,
  Extract<CommandName, `${D}.${string}`>
>

/** The user's Downloads folder when there is one, else the home folder: outside the workspace. */
export function defaultExportDir(): string {
  const downloads = join(homedir(), 'Downloads')
  return existsSync(downloads) ? downloads : homedir()
}
