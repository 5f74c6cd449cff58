import type { KillTarget } from './stress-schedule.ts'

/** What `npm run stress` counts, and how it prints it. */
export interface StressFigures {
  commit: string
  seed: number
  killsAsked: number
  cycles: number
  kills: Record<KillTarget, number> & { total: number }
  /** Kill moments that came after the target had already ended (nothing was killed). */
  killsTooLate: number
  /** Distinct runs found `completed` in the project files. */
  runsCompleted: number
  /** Runs still live when a second process had opened their project (`projects show`, …). */
  liveRunProbes: number
  /** Live runs that another process marked interrupted (issue 13 D2). */
  liveRunsWronglyInterrupted: number
  /** Project files that failed any check at any time. */
  corruptProjects: number
  /**
   * Of those, files left with a rollback journal whose copy passes every check once SQLite
   * has rolled the journal back (no data gone; the app's read-only checks refuse the file).
   */
  corruptSoundAfterRollback: number
  /** Failed checks (each problem found, counted once per check). */
  failedChecks: number
  /** Completed runs later gone, no longer completed, changed or unreadable. */
  completedRunsLost: number
  /** Runs still running/queued after their dead owner's project was reopened. */
  leftRunningAfterReopen: number
  /** Hangs, unexpected exits and other things that went wrong outside the file checks. */
  anomalies: number
  checksPerformed: number
  projectFiles: number
  wallSeconds: number
  /** Stopped at --max-minutes before reaching the kills asked. */
  stoppedEarly: boolean
  /** The first problems found, for reading. */
  problems: string[]
}

export function emptyFigures(commit: string, seed: number, killsAsked: number): StressFigures {
  return {
    commit,
    seed,
    killsAsked,
    cycles: 0,
    kills: { run: 0, worker: 0, server: 0, total: 0 },
    killsTooLate: 0,
    runsCompleted: 0,
    liveRunProbes: 0,
    liveRunsWronglyInterrupted: 0,
    corruptProjects: 0,
    corruptSoundAfterRollback: 0,
    failedChecks: 0,
    completedRunsLost: 0,
    leftRunningAfterReopen: 0,
    anomalies: 0,
    checksPerformed: 0,
    projectFiles: 0,
    wallSeconds: 0,
    stoppedEarly: false,
    problems: [],
  }
}

/** Whether the figures show a failure (the script then exits 1). */
export function failed(f: StressFigures): boolean {
  return (
    f.corruptProjects > 0 ||
    f.failedChecks > 0 ||
    f.completedRunsLost > 0 ||
    f.liveRunsWronglyInterrupted > 0 ||
    f.leftRunningAfterReopen > 0 ||
    f.anomalies > 0
  )
}

/** The figures as a few lines of text. */
export function formatFigures(f: StressFigures): string {
  const k = f.kills
  return [
    `stress: ${k.total} SIGKILLs (runs ${k.run}, workers ${k.worker}, web server ${k.server}) over ${f.cycles} cycles, seed ${f.seed}, commit ${f.commit}${f.stoppedEarly ? ' (stopped early at --max-minutes)' : ''}`,
    `  runs completed               ${f.runsCompleted}`,
    `  corrupt projects             ${f.corruptProjects} of ${f.projectFiles} files` +
      (f.corruptSoundAfterRollback
        ? ` (${f.corruptSoundAfterRollback} sound once a read-write open rolls back the journal a kill left)`
        : ''),
    `  completed runs lost          ${f.completedRunsLost}`,
    `  live runs marked interrupted ${f.liveRunsWronglyInterrupted} of ${f.liveRunProbes} opened by a second process`,
    `  left running after reopen    ${f.leftRunningAfterReopen}`,
    `  anomalies                    ${f.anomalies}`,
    `  checks performed             ${f.checksPerformed} (${f.failedChecks} failed)`,
    `  kill moments too late        ${f.killsTooLate}`,
    `  wall time                    ${f.wallSeconds.toFixed(0)} s`,
    ...(f.problems.length ? ['problems:', ...f.problems.map((p) => `  - ${p}`)] : []),
    failed(f) ? 'FAILED' : 'OK',
  ].join('\n')
}
