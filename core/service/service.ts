import { mkdirSync } from 'node:fs'
import type { Reply } from '../api/contract.ts'
import { Workspace } from '../store/workspace.ts'
import { type ServiceContext, type ServiceOptions, defaultExportDir } from './context.ts'
import { type Handlers, dispatch } from './dispatch.ts'
import { appHandlers } from './domains/app.ts'
import { artifactHandlers } from './domains/artifacts.ts'
import { jobHandlers } from './domains/jobs.ts'
import { inputHandlers } from './domains/inputs.ts'
import { projectHandlers } from './domains/projects.ts'
import { runHandlers } from './domains/runs.ts'
import { type EventListener, EventHub } from './events.ts'
import { InputExplorer } from './input-explorer.ts'
import { JobRunner, nodeWorkerFactory } from './jobs/runner.ts'
import { ProjectRegistry } from './project-registry.ts'
import { RunRecorder } from './run-recorder.ts'

export type { ServiceOptions } from './context.ts'

/**
 * The backend: every command of the contract in one handler map, assembled from one module
 * per domain (domains/), on top of the project registry (open project files, one rule for
 * paths and ids), the run recorder (job lifecycle → project file) and the job runner (worker
 * processes). Transports (IPC via the Electron service process, WebSocket, CLI) only forward
 * raw messages to `handle` and events from `subscribe`.
 */
export class BasiscopeService {
  readonly workspace: Workspace
  readonly handlers: Handlers
  private readonly events = new EventHub()
  private readonly runner: JobRunner
  private readonly projects: ProjectRegistry
  private readonly explorer: InputExplorer

  constructor(options: ServiceOptions) {
    mkdirSync(options.workspaceDir, { recursive: true })
    this.workspace = new Workspace(options.workspaceDir)
    const workers = options.workerFactory ?? nodeWorkerFactory()
    this.runner = new JobRunner(workers, options.concurrency ?? 1)
    this.explorer = new InputExplorer(workers, this.events, options.workspaceDir)
    const recorder = new RunRecorder(this.runner, this.events, options.workspaceDir)
    this.projects = new ProjectRegistry(this.workspace, {
      isBusy: (path) => recorder.isBusy(path),
      onInterrupted: (project, runIds) => {
        for (const runId of runIds) {
          this.events.emit('run.status', {
            project: project.path,
            projectId: project.id,
            runId,
            status: 'interrupted',
            error: null,
          })
        }
      },
    })
    const ctx: ServiceContext = {
      options,
      workspace: this.workspace,
      projects: this.projects,
      recorder,
      runner: this.runner,
      events: this.events,
      exportDir: options.exportDir ?? defaultExportDir(),
      explorer: this.explorer,
    }
    this.handlers = {
      ...appHandlers(ctx),
      ...projectHandlers(ctx),
      ...runHandlers(ctx),
      ...inputHandlers(ctx),
      ...artifactHandlers(ctx),
      ...jobHandlers(ctx),
    }
  }

  handle(raw: unknown): Promise<Reply> {
    return dispatch(this.handlers, raw)
  }

  subscribe(listener: EventListener): () => void {
    return this.events.subscribe(listener)
  }

  /**
   * Cancels every job (its run is recorded as cancelled), stops the explore worker and closes
   * every project file.
   */
  async close(): Promise<void> {
    this.explorer.close()
    await this.runner.shutdown()
    await this.projects.closeAll()
  }
}
