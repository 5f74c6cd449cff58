import { type Rng, createRng } from '../core/random/prng.ts'

/**
 * The seeded plan of `npm run stress`: an endless, repeatable stream of cycles. Each cycle
 * starts one run somewhere (a CLI run recording into a project, or a run of the web
 * server) and either SIGKILLs one process at a random moment of it or lets the run complete
 * (sometimes with a second process opening the project while the run is live). The same
 * seed gives the same stream; when the kills actually land depends on timing.
 */

/** What a cycle kills: the CLI process of a run, a job's worker process, or the web server. */
export type KillTarget = 'run' | 'worker' | 'server'
export const KILL_TARGETS: readonly KillTarget[] = ['run', 'worker', 'server']

/**
 * A second process opening the project of a live run: `basiscope projects show FILE`, or
 * the other host — the web server opening a CLI run's project, or a CLI run recording into
 * the project of a web run.
 */
export type Probe = 'none' | 'show' | 'other-host'

/** Where the cycle's run is started: `basiscope run --project FILE`, or the web server. */
export type RunHost = 'cli' | 'web'

export type Cycle =
  | {
      readonly kind: 'kill'
      readonly index: number
      readonly target: KillTarget
      readonly host: RunHost
      /** When to kill, as a fraction of the target's expected lifetime (may exceed 1: too late). */
      readonly at: number
      /** Record into a new project file (kills during project creation, too). */
      readonly freshProject: boolean
    }
  | {
      readonly kind: 'complete'
      readonly index: number
      readonly host: RunHost
      /** How a second process opens the project while the run is live, if at all. */
      readonly probe: Probe
      readonly freshProject: boolean
    }

export interface ScheduleWeights {
  /** Share of cycles that let the run complete instead of killing something. */
  readonly complete: number
  /** Among complete cycles, the share with a second process opening the project mid-run. */
  readonly probe: number
  /** Among those, the share opened by the other host (the rest: `projects show`). */
  readonly otherHost: number
  /** Relative weights of the kill targets. */
  readonly targets: Readonly<Record<KillTarget, number>>
  /** Among worker kills, the share of workers of a CLI run (the rest: of the web server). */
  readonly cliWorker: number
  /** Share of cycles that record into a new project file. */
  readonly freshProject: number
  /** Kill moments are drawn from [0, lateBy): a little past 1, so some kills come too late. */
  readonly lateBy: number
}

export const DEFAULT_WEIGHTS: ScheduleWeights = {
  complete: 0.2,
  probe: 0.7,
  otherHost: 0.4,
  targets: { run: 0.4, worker: 0.35, server: 0.25 },
  cliWorker: 0.3,
  freshProject: 0.06,
  lateBy: 1.1,
}

/** The i-th cycle's draws come from their own fork, so cycles never shift each other. */
function drawCycle(rng: Rng, index: number, w: ScheduleWeights): Cycle {
  const r = rng.fork(`cycle-${index}`)
  const freshProject = r.next() < w.freshProject
  if (r.next() < w.complete) {
    const host: RunHost = r.next() < 0.5 ? 'cli' : 'web'
    const probe: Probe =
      r.next() >= w.probe ? 'none' : r.next() < w.otherHost ? 'other-host' : 'show'
    return { kind: 'complete', index, host, probe, freshProject }
  }
  const total = KILL_TARGETS.reduce((s, t) => s + w.targets[t], 0)
  let u = r.next() * total
  let target: KillTarget = KILL_TARGETS[KILL_TARGETS.length - 1]
  for (const t of KILL_TARGETS) {
    if (u < w.targets[t]) {
      target = t
      break
    }
    u -= w.targets[t]
  }
  const host: RunHost =
    target === 'run' ? 'cli' : target === 'server' ? 'web' : r.next() < w.cliWorker ? 'cli' : 'web'
  return { kind: 'kill', index, target, host, at: r.next() * w.lateBy, freshProject }
}

/** The schedule of seed `seed`: cycle 0, 1, 2, … on demand. */
export function schedule(
  seed: number,
  weights: ScheduleWeights = DEFAULT_WEIGHTS,
): (index: number) => Cycle {
  const root = createRng(seed)
  // Forks depend on the root's state, so draw every cycle's generator in order once.
  const made: Cycle[] = []
  return (index) => {
    while (made.length <= index) made.push(drawCycle(root, made.length, weights))
    return made[index]
  }
}
