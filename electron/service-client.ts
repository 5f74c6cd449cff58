import type { UtilityProcess } from 'electron'
import type { EventMessage, Reply } from '../core/api/contract.ts'
import type { WorkerHandle } from '../core/service/jobs/runner.ts'
import type { FromService, ServiceInit, ToService } from './service-protocol.ts'
import { type Fork, STDERR_TAIL_CHARS, utilityProcessWorkerFactory } from './utility-worker.ts'

export interface ServiceClientOptions {
  /** `utilityProcess.fork`, passed in so this is unit-tested without Electron. */
  readonly fork: Fork
  /** out/main/service.js and out/main/worker.js. */
  readonly serviceEntry: string
  readonly workerEntry: string
  readonly init: ServiceInit
  /** Every event the service publishes, for the window. */
  onEvent(message: EventMessage): void
  /** The service keeps dying; the app cannot go on. */
  onGiveUp(reason: string): void
}

/** Restarts allowed within `CRASH_WINDOW_MS` before the client gives up. */
const MAX_CRASHES = 3
const CRASH_WINDOW_MS = 60_000
/** How long `close` waits for the service to cancel its jobs and close its files. */
const CLOSE_TIMEOUT_MS = 10_000

function internal(message: string): Reply {
  return { id: null, ok: false, error: { code: 'INTERNAL', message } }
}

/**
 * The main process's side of the service's utility process: forks it, forwards requests and
 * resolves their replies, passes its events on, forks and relays the job workers it asks for,
 * and restarts it if it crashes (calls in flight then fail with a clear message; the project
 * files stay valid and its runs are marked interrupted when next opened).
 */
export class ServiceClient {
  private child: UtilityProcess | null = null
  private ready: Promise<void> | null = null
  /** Whether the current process got as far as 'ready' (only then is a crash restarted). */
  private started = false
  private readonly pending = new Map<number, (reply: Reply) => void>()
  private readonly workers = new Map<number, WorkerHandle>()
  private readonly forkWorker
  private nextCall = 1
  private crashes: number[] = []
  private closing: Promise<void> | null = null
  private onClosed: (() => void) | null = null

  constructor(private readonly options: ServiceClientOptions) {
    this.forkWorker = utilityProcessWorkerFactory(options.fork, options.workerEntry)
  }

  /** Forks the service and sets it up; rejects with why it could not start. */
  start(): Promise<void> {
    const child = this.options.fork(this.options.serviceEntry, [], {
      serviceName: 'basiscope-service',
      stdio: 'pipe',
    })
    this.child = child
    this.started = false
    let stderr = ''
    child.stderr?.on('data', (d: Buffer | string) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL_CHARS)
    })
    child.stdout?.resume()
    this.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (m: FromService) => this.receive(m, resolve, reject))
      child.once('exit', (code: number) => {
        const tail = stderr.trim().split('\n').slice(-5).join('\n')
        const reason = `the Basiscope service process stopped (exit code ${code})${tail ? `: ${tail}` : ''}`
        reject(new Error(reason))
        this.exited(child, reason)
      })
    })
    return this.ready
  }

  /** Forwards one (already validated) request; resolves with its reply envelope. */
  async call(request: unknown): Promise<Reply> {
    try {
      await this.ready
    } catch (e) {
      return internal((e as Error).message)
    }
    if (this.closing) return internal('Basiscope is quitting')
    const callId = this.nextCall++
    return new Promise<Reply>((resolve) => {
      this.pending.set(callId, resolve)
      this.post({ type: 'call', callId, request })
    })
  }

  /** Closes the service (its jobs are cancelled and recorded) and stops its process. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const child = this.child
      if (!child) return resolve()
      const timer = setTimeout(() => child.kill(), CLOSE_TIMEOUT_MS)
      this.onClosed = () => {
        clearTimeout(timer)
        resolve()
      }
      this.post({ type: 'close' })
    }).finally(() => {
      for (const w of this.workers.values()) w.kill()
      this.workers.clear()
    })
    return this.closing
  }

  private post(message: ToService): void {
    try {
      this.child?.postMessage(message)
    } catch {
      // The process is gone; its 'exit' handler deals with what was waiting for it.
    }
  }

  private receive(m: FromService, ready: () => void, failed: (e: Error) => void): void {
    switch (m.type) {
      case 'booted':
        return this.post({ type: 'init', options: this.options.init })
      case 'ready':
        this.started = true
        return ready()
      case 'init-failed':
        return failed(new Error(m.message))
      case 'reply': {
        const resolve = this.pending.get(m.callId)
        this.pending.delete(m.callId)
        return resolve?.(m.reply)
      }
      case 'event':
        return this.options.onEvent(m.message)
      case 'worker.fork':
        return this.startWorker(m.workerId)
      case 'worker.send':
        return this.workers.get(m.workerId)?.send(m.message)
      case 'worker.kill':
        return this.workers.get(m.workerId)?.kill()
      case 'closed':
        this.onClosed?.()
        this.child?.kill()
        return
    }
  }

  private startWorker(workerId: number): void {
    let worker: WorkerHandle
    try {
      worker = this.forkWorker()
    } catch (e) {
      const stderrTail = `could not start a worker process: ${(e as Error).message}`
      return this.post({ type: 'worker.exit', workerId, code: null, stderrTail })
    }
    this.workers.set(workerId, worker)
    worker.onMessage((message) => this.post({ type: 'worker.message', workerId, message }))
    worker.onExit((code, _signal, stderrTail) => {
      this.workers.delete(workerId)
      this.post({ type: 'worker.exit', workerId, code, stderrTail })
    })
  }

  /** The service process is gone: fail what was waiting for it, then restart it or give up. */
  private exited(child: UtilityProcess, reason: string): void {
    if (this.child !== child) return
    this.child = null
    for (const resolve of this.pending.values()) resolve(internal(reason))
    this.pending.clear()
    // Its jobs' runs are over; their workers would only write into the void.
    for (const w of this.workers.values()) w.kill()
    this.workers.clear()
    if (this.closing) return this.onClosed?.()
    // A process that never got ready is reported by start()'s rejection instead.
    if (!this.started) return
    const now = Date.now()
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now]
    if (this.crashes.length > MAX_CRASHES) return this.options.onGiveUp(reason)
    this.start().catch((e: unknown) => this.options.onGiveUp((e as Error).message))
  }
}
