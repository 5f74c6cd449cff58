import type { ForkOptions, UtilityProcess } from 'electron'
import type { FromWorker, ToWorker } from '../core/service/jobs/protocol.ts'
import type { WorkerFactory, WorkerHandle } from '../core/service/jobs/runner.ts'

/** How much of a worker's stderr is kept for the failure message of a crashed run. */
export const STDERR_TAIL_CHARS = 4000

export type Fork = (modulePath: string, args?: string[], options?: ForkOptions) => UtilityProcess

/**
 * The job runner's workers on Electron's utilityProcess (DESIGN.md §3): each run in its own
 * process running out/main/worker.js, talking the same protocol as Node's child-process
 * workers. The port uses structured clone, so Float32Array artifacts arrive as they are.
 * `fork` is `utilityProcess.fork`, passed in so this mapping is unit-tested without Electron.
 */
export function utilityProcessWorkerFactory(fork: Fork, workerEntry: string): WorkerFactory {
  return (): WorkerHandle => {
    const child = fork(workerEntry, [], { serviceName: 'basiscope-job', stdio: 'pipe' })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer | string) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL_CHARS)
    })
    // stdout is piped so a chatty worker cannot block on a full pipe; nothing reads it.
    child.stdout?.resume()
    let exited = false
    child.once('exit', () => (exited = true))
    // A V8 fatal error is reported here before 'exit'; keep its location for the message.
    child.on('error', (type: string, location: string) => {
      stderr = (stderr + `\n${type} at ${location}`).slice(-STDERR_TAIL_CHARS)
    })
    return {
      send: (message: ToWorker) => {
        if (!exited) child.postMessage(message)
      },
      onMessage: (handler) => child.on('message', (m: unknown) => handler(m as FromWorker)),
      // utilityProcess reports only an exit code; a kill shows up as a non-zero code.
      onExit: (handler) => child.once('exit', (code: number) => handler(code, null, stderr)),
      kill: () => {
        if (!exited) child.kill()
      },
    }
  }
}
