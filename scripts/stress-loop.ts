import fs from 'node:fs'
import path from 'node:path'
import { tinyConfig } from '../test/helpers/service.ts'
import { BasiscopeService } from '../core/service/service.ts'
import {
  type CompletedRuns,
  checkProjectFile,
  fingerprint,
  lostCompletedRuns,
  markedInterrupted,
  noteCompleted,
  projectFilesUnder,
  readRunRows,
  unfinished,
} from './stress-check.ts'
import { type StressFigures, emptyFigures } from './stress-figures.ts'
import {
  type Started,
  WebHost,
  childPids,
  isAlive,
  killHard,
  sleep,
  startCli,
  waitFor,
  waitGone,
  within,
} from './stress-procs.ts'
import { type Cycle, type Probe, schedule } from './stress-schedule.ts'

/**
 * The kill loop of `npm run stress`: cycle after cycle from the seeded schedule, a tiny run
 * is started (CLI into a project file, or on the web server), and either one process is
 * SIGKILLed at the cycle's moment or the run completes (maybe with `projects show` opening
 * the project while it is live). After every kill, and at the end, every project file is
 * checked (stress-check.ts) and compared with the completed runs seen before.
 */

export interface LoopOptions {
  readonly kills: number
  readonly seed: number
  /** Stop starting cycles after this long (the figures then say so). */
  readonly maxMinutes: number
  /** How long a dead owner's run may still read `running` after a reopen (heartbeats). */
  readonly staleGraceSeconds: number
  readonly root: string
  readonly commit: string
  readonly log: (line: string) => void
}

const TERMINAL = ['completed', 'failed', 'cancelled', 'interrupted']
const RUN_TIMEOUT_MS = 120_000

/** Expected lifetimes (ms), updated from what completed runs took (moving average). */
class Lifetimes {
  private readonly ms: Record<'cli' | 'cliWorker' | 'web' | 'webWorker', number> = {
    cli: 4500,
    cliWorker: 2500,
    web: 2500,
    webWorker: 2500,
  }

  get(k: keyof Lifetimes['ms']): number {
    return this.ms[k]
  }

  observe(k: keyof Lifetimes['ms'], ms: number): void {
    this.ms[k] = 0.7 * this.ms[k] + 0.3 * ms
  }
}

export class StressLoop {
  readonly figures: StressFigures
  /** The web server's workspace; the CLI's project files are kept there too. */
  private readonly workspace: string
  private readonly configFile: string
  private readonly cliProjects: string[] = []
  private readonly webProjects: string[] = []
  private readonly completed: CompletedRuns = new Map()
  private readonly lost = new Set<string>()
  private readonly corrupt = new Set<string>()
  private readonly soundAfterRollback = new Set<string>()
  private readonly checkedPrints = new Map<string, string>()
  private readonly lifetimes = new Lifetimes()
  private web: WebHost | null = null
  private readonly statuses = new Map<string, { status: string; error: unknown }>()

  constructor(private readonly o: LoopOptions) {
    this.figures = emptyFigures(o.commit, o.seed, o.kills)
    // The CLI's project files sit in the web server's workspace, so the server may open them.
    this.workspace = path.join(o.root, 'workspace')
    fs.mkdirSync(this.workspace, { recursive: true })
    this.configFile = path.join(o.root, 'tiny-run.json')
    fs.writeFileSync(this.configFile, JSON.stringify(tinyConfig, null, 2))
  }

  /** Runs cycles until the kills asked have landed (or time is up), then the final check. */
  async run(): Promise<StressFigures> {
    const started = Date.now()
    const cycleOf = schedule(this.o.seed)
    const maxCycles = this.o.kills * 4 + 10
    for (let i = 0; this.figures.kills.total < this.o.kills && i < maxCycles; i++) {
      if (Date.now() - started > this.o.maxMinutes * 60_000) {
        this.figures.stoppedEarly = true
        break
      }
      const cycle = cycleOf(i)
      try {
        await this.runCycle(cycle)
      } catch (e) {
        this.anomaly(`cycle ${i} (${describe(cycle)}): ${(e as Error).message}`)
        await this.dropWeb()
      }
      this.figures.cycles++
      // After a kill, and after a run completed (so its completed runs are noted at once).
      this.checkAll()
      this.o.log(
        `[${this.figures.kills.total}/${this.o.kills} kills] cycle ${i} ${describe(cycle)}` +
          `  ${((Date.now() - started) / 1000).toFixed(0)} s`,
      )
    }
    if (this.web) {
      await this.web.stop()
      this.web = null
    }
    this.checkAll()
    this.figures.runsCompleted = this.completed.size
    this.figures.completedRunsLost = this.lost.size
    this.figures.corruptProjects = this.corrupt.size
    this.figures.corruptSoundAfterRollback = this.soundAfterRollback.size
    this.figures.projectFiles = this.projectFiles().length
    this.figures.wallSeconds = (Date.now() - started) / 1000
    return this.figures
  }

  private async runCycle(c: Cycle): Promise<void> {
    if (c.kind === 'complete') {
      return c.host === 'cli' ? this.completeCli(c) : this.completeWeb(c)
    }
    if (c.target === 'run') return this.killCliRun(c)
    if (c.target === 'worker')
      return c.host === 'cli' ? this.killCliWorker(c) : this.killWebWorker(c)
    return this.killServer(c)
  }

  // --- problems -------------------------------------------------------------------------

  private problem(text: string): void {
    if (this.figures.problems.length < 60) this.figures.problems.push(text)
    this.o.log(`  problem: ${text}`)
  }

  private anomaly(text: string): void {
    this.figures.anomalies++
    this.problem(`anomaly: ${text}`)
  }

  private countKill(target: Cycle & { kind: 'kill' }): void {
    this.figures.kills[target.target]++
    this.figures.kills.total++
  }

  // --- project files ----------------------------------------------------------------------

  private projectFiles(): string[] {
    return projectFilesUnder(this.workspace)
  }

  /**
   * The project file a cycle records into: a new one when the cycle says so, else one of
   * the pool. A file found damaged is taken out of the pool (a user would stop using it),
   * so one damaged file is not counted again by every later run into it.
   */
  private cliProject(c: Cycle): string {
    const pool = this.cliProjects.filter((f) => !this.corrupt.has(f))
    if (c.freshProject || pool.length < 2) {
      const file = path.join(this.workspace, `cli-${this.cliProjects.length + 1}.basiscope`)
      this.cliProjects.push(file)
      return file
    }
    return pool[c.index % pool.length]
  }

  private async webProject(c: Cycle, web: WebHost): Promise<string> {
    const pool = this.webProjects.filter((f) => !this.corrupt.has(f))
    if (c.freshProject || pool.length === 0) {
      const info = await web.call<{ path: string }>('projects.create', {
        name: `stress web ${this.webProjects.length + 1}`,
      })
      this.webProjects.push(info.path)
      return info.path
    }
    return pool[c.index % pool.length]
  }

  /**
   * Checks every project file whose bytes changed since it was last checked (an unchanged
   * file and its -wal/-journal give the same answers): integrity, validation, JSON rows,
   * completed runs readable and still as they were.
   */
  private checkAll(): void {
    for (const file of this.projectFiles()) {
      const print = fingerprint(file)
      if (this.checkedPrints.get(file) === print) continue
      const report = checkProjectFile(file)
      this.figures.checksPerformed += report.checks
      if (report.problems.length > 0) {
        this.corrupt.add(file)
        if (report.soundAfterRollback) this.soundAfterRollback.add(file)
        this.figures.failedChecks += report.problems.length
        for (const p of report.problems) this.problem(`${path.basename(file)}: ${p}`)
      }
      // Every completed run seen before in this file is compared with what it holds now.
      this.figures.checksPerformed += [...this.completed.keys()].filter((k) =>
        k.startsWith(`${file}#`),
      ).length
      for (const { key, reason } of lostCompletedRuns(this.completed, report)) {
        if (!this.lost.has(key)) this.problem(`lost: ${key}: ${reason}`)
        this.lost.add(key)
      }
      noteCompleted(this.completed, report)
      this.checkedPrints.set(file, fingerprint(file))
    }
  }

  /**
   * Opens a project whose run's owner was killed, the way the app does (a fresh service),
   * and checks that no run is left running or queued.
   */
  private reopenCheck(file: string): Promise<void> {
    if (!fs.existsSync(file)) return Promise.resolve()
    return this.noneLeftRunning(file, 'reopen', async () => {
      const service = new BasiscopeService({
        workspaceDir: path.dirname(file),
        exportDir: path.join(this.o.root, 'exports'),
        recordRecents: false,
      })
      try {
        const opened = await service.handle({
          id: 1,
          command: 'projects.open',
          params: { path: file },
        })
        if (!opened.ok) throw new Error(opened.error.message)
        const listed = await service.handle({
          id: 2,
          command: 'runs.list',
          params: { project: file },
        })
        if (!listed.ok) throw new Error(listed.error.message)
        return listed.value as { id: number; status: string }[]
      } finally {
        await service.close()
      }
    })
  }

  /**
   * Checks that `list` (a reopen's runs) has no run left running or queued. A design with
   * heartbeats may need a moment to see that an owner is gone, so this asks again for up to
   * --stale-grace seconds. A project that cannot be reopened is a failed check.
   */
  private async noneLeftRunning(
    file: string,
    what: string,
    list: () => Promise<{ id: number; status: string }[]>,
  ): Promise<void> {
    const deadline = Date.now() + this.o.staleGraceSeconds * 1000
    for (;;) {
      let left: number[]
      try {
        left = unfinished(await list()).map((r) => r.id)
      } catch (e) {
        this.problem(`${what} ${path.basename(file)}: ${(e as Error).message}`)
        this.figures.failedChecks++
        this.corrupt.add(file)
        return
      }
      this.figures.checksPerformed++
      if (left.length === 0) return
      if (Date.now() > deadline) {
        this.figures.leftRunningAfterReopen += left.length
        this.problem(`${path.basename(file)}: runs ${left.join(', ')} still running after ${what}`)
        return
      }
      await sleep(1000)
    }
  }

  // --- CLI cycles -------------------------------------------------------------------------

  private startCliRun(file: string): Started {
    return startCli(['run', this.configFile, '--project', file, '--json'])
  }

  /** SIGKILL the CLI process of a run at the cycle's moment of its lifetime. */
  private async killCliRun(c: Cycle & { kind: 'kill' }): Promise<void> {
    const file = this.cliProject(c)
    const cli = this.startCliRun(file)
    const t0 = Date.now()
    await Promise.race([cli.exited, sleep(c.at * this.lifetimes.get('cli'))])
    const workers = childPids(cli.pid)
    if (killHard(cli.pid)) this.countKill(c)
    else this.tooLate(cli, t0, 'cli')
    await cli.exited
    await waitGone(workers, 5000)
    await this.reopenCheck(file)
  }

  /** SIGKILL the worker process of a CLI run; the CLI records it failed and exits. */
  private async killCliWorker(c: Cycle & { kind: 'kill' }): Promise<void> {
    const file = this.cliProject(c)
    const cli = this.startCliRun(file)
    const t0 = Date.now()
    let worker = 0
    await waitFor(() => (worker = childPids(cli.pid)[0] ?? 0) > 0 || cli.hasExited(), 60_000, 10)
    if (worker) {
      await Promise.race([
        waitFor(() => !isAlive(worker), RUN_TIMEOUT_MS),
        sleep(c.at * this.lifetimes.get('cliWorker')),
      ])
      if (killHard(worker)) this.countKill(c)
      else this.figures.killsTooLate++
    } else this.tooLate(cli, t0, 'cli')
    try {
      await within(cli.exited, 30_000, 'the CLI exiting after its worker was killed')
    } catch (e) {
      this.anomaly((e as Error).message)
      killHard(cli.pid)
    }
    this.expectEnded(file, 'CLI run whose worker was killed')
  }

  /** A run's end as the file says (no run left running by a live owner that has ended). */
  private expectEnded(file: string, what: string): void {
    const rows = readRunRows(file)
    const last = rows[rows.length - 1]
    this.figures.checksPerformed++
    if (last && !TERMINAL.includes(last.status)) {
      this.anomaly(
        `${path.basename(file)} run ${last.id} (${what}) reads ${last.status} after its owner ended it`,
      )
    }
  }

  /** A kill moment that came after the CLI ended: the run completed or failed by itself. */
  private tooLate(cli: Started, t0: number, k: 'cli'): void {
    this.figures.killsTooLate++
    if (cli.hasExited()) this.lifetimes.observe(k, Date.now() - t0)
  }

  /** A CLI run left to complete, maybe with a second process opening its project mid-run. */
  private async completeCli(c: Cycle & { kind: 'complete' }): Promise<void> {
    const file = this.cliProject(c)
    const runId = Math.max(0, ...readRunRows(file).map((r) => r.id)) + 1
    const cli = this.startCliRun(file)
    const t0 = Date.now()
    void this.observeWorker(() => childPids(cli.pid)[0] ?? 0, 'cliWorker', cli.exited)
    const isLive = (): boolean => !cli.hasExited()
    let probed: ProbeResult | null = null
    if (c.probe !== 'none') {
      await waitFor(
        () => readRunRows(file).some((r) => r.id === runId && r.status === 'running') || !isLive(),
        60_000,
        20,
      )
      if (isLive()) probed = await this.probe(c.probe, 'cli', file, runId, isLive)
    }
    const exit = await within(cli.exited, RUN_TIMEOUT_MS, 'a CLI run completing')
    this.lifetimes.observe('cli', Date.now() - t0)
    const run = readRunRows(file).find((r) => r.id === runId)
    this.judgeCompleted(file, run, exit.code === 0 ? null : `exit ${exit.code}`, probed)
    await probed?.settled
  }

  /** Notes how long a job worker lived (it is killed at a fraction of that). */
  private async observeWorker(
    find: () => number,
    k: 'cliWorker' | 'webWorker',
    gone: Promise<unknown>,
  ): Promise<void> {
    let pid = 0
    let ended = false
    void gone.then(() => (ended = true))
    await waitFor(() => (pid = find()) > 0 || ended, 60_000, 10)
    if (!pid) return
    const seen = Date.now()
    if (await waitFor(() => !isAlive(pid), RUN_TIMEOUT_MS)) {
      this.lifetimes.observe(k, Date.now() - seen)
    }
  }

  // --- web cycles -------------------------------------------------------------------------

  private async webHost(): Promise<WebHost> {
    if (this.web && !this.web.proc.hasExited()) return this.web
    const web = await WebHost.start(this.workspace)
    web.onEvent((e) => {
      if (e.event !== 'run.status') return
      const p = e.payload
      this.statuses.set(`${String(p.project)}#${String(p.runId)}`, {
        status: String(p.status),
        error: p.error,
      })
    })
    this.web = web
    return web
  }

  private async dropWeb(): Promise<void> {
    const web = this.web
    this.web = null
    if (!web) return
    const workers = web.workers()
    killHard(web.proc.pid)
    await web.proc.exited
    await waitGone(workers, 5000)
  }

  /** Starts a tiny run on the web server; its project, run id and the workers before it. */
  private async startWebRun(
    c: Cycle,
  ): Promise<{ web: WebHost; project: string; runId: number; before: number[]; t0: number }> {
    const web = await this.webHost()
    const project = await this.webProject(c, web)
    const before = web.workers()
    const t0 = Date.now()
    const started = await web.call<{ run: { id: number } }>('runs.start', {
      project,
      config: tinyConfig,
    })
    return { web, project, runId: started.run.id, before, t0 }
  }

  private webStatus(project: string, runId: number): string | undefined {
    return this.statuses.get(`${project}#${runId}`)?.status
  }

  private async newWorker(web: WebHost, before: readonly number[]): Promise<number> {
    let pid = 0
    await waitFor(() => (pid = web.workers().find((p) => !before.includes(p)) ?? 0) > 0, 60_000, 10)
    return pid
  }

  /** SIGKILL the job worker of a web run; the server must record the run failed. */
  private async killWebWorker(c: Cycle & { kind: 'kill' }): Promise<void> {
    const { web, project, runId, before } = await this.startWebRun(c)
    const worker = await this.newWorker(web, before)
    if (!worker) throw new Error(`no worker process appeared for web run ${runId}`)
    await Promise.race([
      waitFor(() => !isAlive(worker), RUN_TIMEOUT_MS),
      sleep(c.at * this.lifetimes.get('webWorker')),
    ])
    if (killHard(worker)) this.countKill(c)
    else this.figures.killsTooLate++
    const ended = await waitFor(
      () => TERMINAL.includes(this.webStatus(project, runId) ?? ''),
      30_000,
    )
    if (!ended) this.anomaly(`web run ${runId}: no end reported after its worker was killed`)
    this.expectEnded(project, 'web run whose worker was killed')
  }

  /** SIGKILL the web server mid-run, restart it, and check the reopened project. */
  private async killServer(c: Cycle & { kind: 'kill' }): Promise<void> {
    const { web, project, runId, t0 } = await this.startWebRun(c)
    await Promise.race([
      waitFor(() => TERMINAL.includes(this.webStatus(project, runId) ?? ''), RUN_TIMEOUT_MS),
      sleep(c.at * this.lifetimes.get('web')),
    ])
    // A moment past the run's end kills the idle server: a random moment of its life too.
    if (TERMINAL.includes(this.webStatus(project, runId) ?? '')) {
      this.lifetimes.observe('web', Date.now() - t0)
    }
    const workers = web.workers()
    if (killHard(web.proc.pid)) this.countKill(c)
    this.web = null
    await web.proc.exited
    await waitGone(workers, 5000)
    // The restarted server reopens the project: the dead server's run must end interrupted.
    const next = await this.webHost()
    await this.noneLeftRunning(project, 'the server restarted', async () => {
      await next.call('projects.open', { path: project })
      return next.call<{ id: number; status: string }[]>('runs.list', { project })
    })
  }

  /** A web run left to complete, maybe with a second process opening its project mid-run. */
  private async completeWeb(c: Cycle & { kind: 'complete' }): Promise<void> {
    const { web, project, runId, before, t0 } = await this.startWebRun(c)
    const ended = (): boolean => TERMINAL.includes(this.webStatus(project, runId) ?? '')
    const done = waitFor(ended, RUN_TIMEOUT_MS)
    void this.observeWorker(
      () => web.workers().find((p) => !before.includes(p)) ?? 0,
      'webWorker',
      done,
    )
    let probed: ProbeResult | null = null
    if (c.probe !== 'none') {
      await waitFor(() => this.webStatus(project, runId) === 'running' || ended(), 60_000, 10)
      if (!ended()) probed = await this.probe(c.probe, 'web', project, runId, () => !ended())
    }
    const finished = await done
    if (finished) this.lifetimes.observe('web', Date.now() - t0)
    const run = readRunRows(project).find((r) => r.id === runId)
    this.judgeCompleted(project, run, finished ? null : 'no end reported', probed)
    await probed?.settled
  }

  // --- completed runs and the second-process probe (D2) ------------------------------------

  /**
   * While the run is live, a second process opens its project: `basiscope projects show
   * FILE --json`, or the other host (the web server opens a CLI run's project; a CLI run
   * records into a web run's project). What it showed, and what the file says right after if
   * the run was still live then.
   */
  private async probe(
    kind: Exclude<Probe, 'none'>,
    host: 'cli' | 'web',
    file: string,
    runId: number,
    stillLive: () => boolean,
  ): Promise<ProbeResult> {
    const by = kind === 'show' ? 'projects show' : host === 'cli' ? 'the web server' : 'a CLI run'
    let shown: string | null = null
    let settled: Promise<void> = Promise.resolve()
    if (kind === 'show') shown = await this.showStatus(file, runId)
    else if (host === 'cli') {
      const web = await this.webHost()
      await web.call('projects.open', { path: file })
      const runs = await web.call<{ id: number; status: string }[]>('runs.list', { project: file })
      shown = runs.find((r) => r.id === runId)?.status ?? null
    } else {
      // Another process records a run into the same project; once it has opened the file
      // (its run row exists), the live run's status is read.
      const cli = this.startCliRun(file)
      await waitFor(
        () => readRunRows(file).some((r) => r.id > runId) || cli.hasExited(),
        60_000,
        20,
      )
      settled = this.settleConcurrentRun(cli, file)
    }
    const liveAfter = stillLive()
    const row = readRunRows(file).find((r) => r.id === runId)
    return { by, shown, afterStatus: liveAfter ? (row?.status ?? null) : null, settled }
  }

  /** `projects show FILE --json`: the status it lists for the run. */
  private async showStatus(file: string, runId: number): Promise<string | null> {
    const show = startCli(['projects', 'show', file, '--json'])
    const exit = await within(show.exited, 60_000, 'projects show')
    try {
      const out = JSON.parse(show.output().stdout) as { runs: { id: number; status: string }[] }
      return out.runs.find((r) => r.id === runId)?.status ?? null
    } catch {
      this.anomaly(
        `projects show ${path.basename(file)} (exit ${exit.code}): ${show.output().stderr.slice(-300)}`,
      )
      return null
    }
  }

  /** The concurrent CLI run of a probe must complete too. */
  private async settleConcurrentRun(cli: Started, file: string): Promise<void> {
    const exit = await within(cli.exited, RUN_TIMEOUT_MS, 'a concurrent CLI run completing')
    const out = cli.output().stdout
    this.figures.checksPerformed++
    if (exit.code !== 0) {
      this.anomaly(
        `a CLI run recording into ${path.basename(file)} beside a live web run exited ${exit.code}: ${cli.output().stderr.slice(-300)}`,
      )
    } else if (!out.includes('"functionPreservation"')) {
      this.anomaly(`a concurrent CLI run into ${path.basename(file)} printed no summary`)
    }
  }

  /** Judges a run left to complete; counts D2 if a second process marked it interrupted. */
  private judgeCompleted(
    file: string,
    run: { id: number; status: string; error: string | null } | undefined,
    failure: string | null,
    probed: ProbeResult | null,
  ): void {
    const name = path.basename(file)
    this.figures.checksPerformed++
    if (probed) {
      const marked =
        probed.shown === 'interrupted' ||
        probed.afterStatus === 'interrupted' ||
        (run !== undefined && markedInterrupted(run))
      // A run that ended while the second process was still opening the file was not live.
      if (probed.afterStatus !== null || marked) this.figures.liveRunProbes++
      if (marked) {
        this.figures.liveRunsWronglyInterrupted++
        this.problem(
          `D2: ${name} run ${run?.id}, live, opened by ${probed.by}: shown ${probed.shown ?? '-'}, ` +
            `then ${probed.afterStatus ?? '-'} in the file; it ended ${run?.status}` +
            `${run?.error ? ` with error "${run.error}"` : ''}`,
        )
        return
      }
    }
    if (failure || !run || run.status !== 'completed' || run.error) {
      this.anomaly(
        `${name} run ${run?.id ?? '?'} was left to complete but ended ${run?.status ?? 'missing'} (${failure ?? run?.error ?? ''})`,
      )
    }
  }
}

interface ProbeResult {
  /** Who opened the project. */
  readonly by: string
  /** The run's status as the second process listed it (null if it lists none). */
  readonly shown: string | null
  /**
   * The status in the file right after the second process opened it; null if the run had
   * ended by then (the probe then does not count).
   */
  readonly afterStatus: string | null
  /** Resolves when whatever the probe started has ended (and been judged). */
  readonly settled: Promise<void>
}

function describe(c: Cycle): string {
  return c.kind === 'complete'
    ? `complete ${c.host}${c.probe !== 'none' ? ` + ${c.probe}` : ''}${c.freshProject ? ' (new project)' : ''}`
    : `kill ${c.target}${c.target === 'worker' ? ` (${c.host})` : ''} at ${c.at.toFixed(2)}${c.freshProject ? ' (new project)' : ''}`
}
