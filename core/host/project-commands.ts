import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { CommandResult, EventMessage, Reply } from '../api/contract.ts'
import type { ProjectInfo, RunRecord } from '../api/records.ts'
import { BasiscopeError, CancelledError } from '../errors.ts'
import type { RunConfig } from '../api/run-config.ts'
import type { ProgressEvent } from '../experiment/progress.ts'
import type { StoredRunSummary } from '../api/summary.ts'
import { BasiscopeService } from '../service/service.ts'
import { openProjectAsync } from '../store/open-async.ts'
import { withReadable } from '../store/settle.ts'
import { createProject } from '../store/project-store.ts'
import { Workspace } from '../store/workspace.ts'

/** Where projects live unless told otherwise. */
export function defaultWorkspaceDir(): string {
  return process.env.BASISCOPE_WORKSPACE ?? join(homedir(), 'Basiscope')
}

/** Unwraps a reply envelope, turning `{ok: false}` back into the error for the CLI. */
function value<T>(reply: Reply): T {
  if (reply.ok) return reply.value as T
  throw new BasiscopeError(reply.error.code, reply.error.message, undefined, reply.error.details)
}

/**
 * `basiscope run --project FILE`: the run goes through the same service and worker
 * process the desktop app uses, so it is recorded exactly as a UI run is.
 */
export async function runInProject(
  file: string,
  config: RunConfig,
  onProgress: (e: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<{ run: RunRecord; summary: StoredRunSummary | null }[]> {
  const path = resolve(file)
  if (!existsSync(path)) createProject(path, basename(path).replace(/\.basiscope$/, '')).close()
  const service = new BasiscopeService({ workspaceDir: dirname(path), recordRecents: false })
  try {
    value<ProjectInfo>(await service.handle({ id: 1, command: 'projects.open', params: { path } }))
    // Outcomes of the runs started (a seed group starts several), by run id.
    const outcomes = new Map<number, (o: { status: string; error: string | null }) => void>()
    const ended = new Map<number, { status: string; error: string | null }>()
    service.subscribe((m: EventMessage) => {
      if (m.event === 'job.progress' && outcomes.has(m.payload.runId)) {
        const { phase, message, fraction, etaSeconds, values } = m.payload
        onProgress({
          phase: phase as ProgressEvent['phase'],
          message,
          fraction,
          etaSeconds,
          values,
        })
      }
      if (
        m.event === 'run.status' &&
        ['completed', 'failed', 'cancelled'].includes(m.payload.status)
      ) {
        const outcome = { status: m.payload.status, error: m.payload.error }
        ended.set(m.payload.runId, outcome)
        outcomes.get(m.payload.runId)?.(outcome)
      }
    })
    const started = value<CommandResult<'runs.start'>>(
      await service.handle({
        id: 2,
        command: 'runs.start',
        params: { project: path, config, name: config.name },
      }),
    )
    const done = started.runs.map(
      ({ run }) =>
        new Promise<{ status: string; error: string | null }>((r) => {
          const early = ended.get(run.id)
          if (early) r(early)
          else outcomes.set(run.id, r)
        }),
    )
    const onAbort = (): void => {
      for (const { jobId } of started.runs) {
        void service.handle({ id: 3, command: 'jobs.cancel', params: { jobId } })
      }
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const results = await Promise.all(done)
    signal?.removeEventListener('abort', onAbort)
    const recorded = []
    for (const [i, { run }] of started.runs.entries()) {
      const outcome = results[i]
      if (outcome.status === 'cancelled')
        throw new CancelledError(`run ${run.id} cancelled (recorded in ${path})`)
      if (outcome.status === 'failed') {
        throw new BasiscopeError(
          'INTERNAL',
          `run ${run.id} failed (recorded in ${path}): ${outcome.error}`,
        )
      }
      recorded.push(
        value<{ run: RunRecord; summary: StoredRunSummary | null }>(
          await service.handle({
            id: 4 + i,
            command: 'runs.get',
            params: { project: path, runId: run.id },
          }),
        ),
      )
    }
    return recorded
  } finally {
    await service.close()
  }
}

function usage(message: string): BasiscopeError {
  return new BasiscopeError('INVALID_ARGUMENT', message)
}

function listProjects(dir: string): ReturnType<Workspace['list']> {
  if (!existsSync(dir)) throw new BasiscopeError('INVALID_FILE', `${dir}: no such folder`, dir)
  return new Workspace(resolve(dir)).list()
}

/**
 * `basiscope projects show FILE`: the project and its runs, validated like an import. A pure
 * read: the file is opened read-only and never changed (not migrated, no run marked; a run
 * whose process is gone is shown interrupted).
 */
async function showProject(file: string): Promise<{ project: ProjectInfo; runs: RunRecord[] }> {
  const path = resolve(file)
  // A file that cannot be read in place (an unfinished write, WAL mode at rest) is shown
  // from a settled private copy, named as the file.
  return withReadable(path, async (readable) => {
    const store = await openProjectAsync(readable, { readonly: true })
    try {
      const runs = store
        .listRuns()
        .map((r) =>
          r.damaged === undefined ? r : { ...r, damaged: r.damaged.replaceAll(readable, path) },
        )
      return { project: { ...store.info(), path }, runs }
    } finally {
      store.close()
    }
  })
}

/** One line per run for `projects show`: status, name, key config and results. */
function runLine(r: RunRecord): string {
  const m = r.keyMetrics
  const nz = Object.keys(m)
    .filter((k) => k.endsWith('.nearZero.after'))
    .map((k) => `${k.split('.')[0]} ${m[k].toFixed(3)}`)
    .join(' ')
  return (
    `  #${r.id} ${r.status.padEnd(11)} ${r.name}  ${JSON.stringify(r.configSummary)}` +
    `${m.testAccuracy !== undefined ? `  acc ${m.testAccuracy.toFixed(4)}` : ''}${nz ? `  nearZero ${nz}` : ''}` +
    `${r.error ? `  error: ${r.error.split('\n')[0]}` : ''}` +
    `${r.damaged ? `  damaged: ${r.damaged}` : ''}\n`
  )
}

/** `basiscope projects list [DIR] | show FILE [--json]`. */
export async function projectsCommand(
  argv: readonly string[],
  io: { stdout(text: string): void },
): Promise<void> {
  const [sub, ...args] = argv
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { json: { type: 'boolean' } },
  })
  if (sub === 'list') {
    const dir = resolve(positionals[0] ?? defaultWorkspaceDir())
    const projects = listProjects(dir)
    if (values.json) return io.stdout(JSON.stringify(projects) + '\n')
    if (!projects.length) io.stdout(`no projects in ${dir}\n`)
    for (const p of projects) {
      io.stdout(
        p.error
          ? `${p.path}  (unreadable: ${p.error})\n`
          : `${p.name}  ${p.runCount} runs  last activity ${p.lastActivity}  ${p.path}\n`,
      )
    }
    return
  }
  if (sub === 'show') {
    if (positionals.length !== 1) throw usage('projects show takes one project file')
    const shown = await showProject(positionals[0])
    if (values.json) return io.stdout(JSON.stringify(shown) + '\n')
    const p = shown.project
    io.stdout(
      `${p.name} — ${p.path}\n${p.runCount} runs, created ${p.createdAt}, last activity ${p.lastActivity}\n`,
    )
    for (const r of shown.runs) io.stdout(runLine(r))
    return
  }
  throw usage('projects: expected "list [DIR]" or "show FILE [--json]"')
}
