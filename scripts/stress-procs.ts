import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

/**
 * The processes `npm run stress` starts and kills: `basiscope run` (bin/basiscope.js, as a
 * user runs it), the web host (core/host/web-entry.ts, what `npm run web` starts after
 * building the page), and the job workers they fork, found through /proc.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = fileURLToPath(new URL('../bin/basiscope.js', import.meta.url))
const WEB_ENTRY = fileURLToPath(new URL('../core/host/web-entry.ts', import.meta.url))

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface Started {
  readonly child: ChildProcess
  readonly pid: number
  /** Resolves when the process has exited (code, or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: string | null }>
  hasExited(): boolean
  output(): { stdout: string; stderr: string }
}

/** Every process started here, so that an interrupted stress run leaves none behind. */
const started = new Set<Started>()

function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)))
  let done = false
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true
      resolve({ code, signal })
    }),
  )
  const s: Started = {
    child,
    pid: child.pid!,
    exited,
    hasExited: () => done,
    output: () => ({ stdout, stderr }),
  }
  started.add(s)
  void exited.then(() => started.delete(s))
  return s
}

/** `basiscope …` (bin/basiscope.js under this Node). */
export function startCli(args: readonly string[]): Started {
  return start([BIN, ...args])
}

/** The pids of a process's children (from /proc; empty if it is gone). */
export function childPids(pid: number): number[] {
  const dir = `/proc/${pid}/task`
  let tasks: string[]
  try {
    tasks = fs.readdirSync(dir)
  } catch {
    return []
  }
  const out: number[] = []
  for (const t of tasks) {
    try {
      const text = fs.readFileSync(`${dir}/${t}/children`, 'utf8').trim()
      if (text) out.push(...text.split(/\s+/).map(Number))
    } catch {
      // the task ended meanwhile
    }
  }
  return out
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** SIGKILLs a live process; false if it was already gone (then nothing was killed). */
export function killHard(pid: number): boolean {
  if (!isAlive(pid)) return false
  try {
    process.kill(pid, 'SIGKILL')
    return true
  } catch {
    return false
  }
}

/** Waits until `until()` holds, polling; false on timeout. */
export async function waitFor(
  until: () => boolean,
  timeoutMs: number,
  everyMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!until()) {
    if (Date.now() > deadline) return false
    await sleep(everyMs)
  }
  return true
}

/** Waits for processes (not started here, e.g. orphaned workers) to go; kills stragglers. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  await waitFor(() => pids.every((p) => !isAlive(p)), timeoutMs)
  const stragglers = pids.filter(isAlive)
  for (const p of stragglers) killHard(p)
  return stragglers
}

/** Resolves with the result, or rejects after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e as Error)),
    )
  })
}

export interface WireEvent {
  readonly event: string
  readonly payload: Record<string, unknown>
}

export type WireReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string } }

/** The web host as a browser tab uses it: its process and its API over the WebSocket. */
export class WebHost {
  private nextId = 1
  private readonly waiting = new Map<
    number,
    { resolve: (r: WireReply) => void; reject: (e: Error) => void }
  >()
  private readonly listeners = new Set<(e: WireEvent) => void>()

  private constructor(
    readonly proc: Started,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as WireReply | WireEvent
      if ('event' in m) for (const l of this.listeners) l(m)
      else this.waiting.get(m.id)?.resolve(m)
    })
    ws.on('close', () => {
      for (const w of this.waiting.values()) w.reject(new Error('the web host went away'))
    })
  }

  /** Starts `web-entry.ts --workspace DIR` on port 0 and connects with its printed token. */
  static async start(workspace: string): Promise<WebHost> {
    const proc = start(['--import', 'tsx', WEB_ENTRY, '--workspace', workspace, '--port', '0'])
    const ok = await waitFor(
      () =>
        /Open http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.test(proc.output().stdout) ||
        proc.hasExited(),
      60_000,
    )
    const m = proc.output().stdout.match(/Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/)
    if (!ok || !m) {
      killHard(proc.pid)
      throw new Error(`the web host printed no address: ${proc.output().stderr.slice(-500)}`)
    }
    const url = new URL(m[1])
    const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`)
    await within(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve())
        ws.once('error', reject)
      }),
      10_000,
      'connecting to the web host',
    )
    ws.on('error', () => {}) // a killed server resets the socket; that is expected here
    return new WebHost(proc, ws)
  }

  /** One command's reply (rejects when the server goes away first). */
  ask(command: string, params: unknown = {}, timeoutMs = 60_000): Promise<WireReply> {
    const id = this.nextId++
    if (this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`the web host is gone (${command})`))
    }
    const reply = new Promise<WireReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.ws.send(JSON.stringify({ id, command, params }))
    })
    return within(reply, timeoutMs, command).finally(() => this.waiting.delete(id))
  }

  /** The value of a command; an error reply throws. */
  async call<T>(command: string, params: unknown = {}): Promise<T> {
    const r = await this.ask(command, params)
    if (!r.ok) throw new Error(`${command}: ${r.error.code} ${r.error.message}`)
    return r.value as T
  }

  /** Calls `listener` with every event the server broadcasts. */
  onEvent(listener: (e: WireEvent) => void): void {
    this.listeners.add(listener)
  }

  /** The first event satisfying `predicate` (null on timeout). */
  waitEvent(predicate: (e: WireEvent) => boolean, timeoutMs: number): Promise<WireEvent | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.listeners.delete(l), resolve(null)), timeoutMs)
      const l = (e: WireEvent): void => {
        if (!predicate(e)) return
        clearTimeout(timer)
        this.listeners.delete(l)
        resolve(e)
      }
      this.listeners.add(l)
    })
  }

  /** The job workers the server has forked right now. */
  workers(): number[] {
    return childPids(this.proc.pid)
  }

  /** Ends the server the way Ctrl+C does (SIGTERM: cancel jobs, close files). */
  async stop(): Promise<void> {
    this.ws.close()
    this.proc.child.kill('SIGTERM')
    try {
      await within(this.proc.exited, 15_000, 'the web host stopping')
    } catch {
      killHard(this.proc.pid)
    }
  }

  closeSocket(): void {
    this.ws.terminate()
  }
}

/** Kills every process started here that is still alive (on exit or interruption). */
export function killAllStarted(): void {
  for (const s of started) {
    for (const c of childPids(s.pid)) killHard(c)
    killHard(s.pid)
  }
}
