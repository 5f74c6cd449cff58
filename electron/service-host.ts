import type { WorkerFactory, WorkerHandle } from '../core/service/jobs/runner.ts'
import type { FromWorker } from '../core/service/jobs/protocol.ts'
import { BasiscopeService, type ServiceOptions } from '../core/service/service.ts'
import type { FromService, ToService } from './service-protocol.ts'
import type { PortLike } from './worker-port.ts'

/** A job worker that main forked for the service, seen through main's relay. */
interface RelayedWorker {
  readonly handle: WorkerHandle
  deliver(message: FromWorker): void
  exited(code: number | null, stderrTail: string): void
}

function relayedWorker(workerId: number, post: (m: FromService) => void): RelayedWorker {
  let onMessage: (m: FromWorker) => void = () => {}
  let onExit: (code: number | null, signal: string | null, tail: string) => void = () => {}
  return {
    handle: {
      send: (message) => post({ type: 'worker.send', workerId, message }),
      onMessage: (h) => (onMessage = h),
      onExit: (h) => (onExit = h),
      kill: () => post({ type: 'worker.kill', workerId }),
    },
    deliver: (m) => onMessage(m),
    exited: (code, tail) => onExit(code, null, tail),
  }
}

/**
 * The body of the service's utility process: waits for `init`, then runs one
 * BasiscopeService, answering `call`s with replies and forwarding its events; its jobs run in
 * workers main forks on request. Resolves once `close` has closed the service (jobs
 * cancelled and recorded, project files closed) and `closed` was posted.
 */
export function serveService(
  port: PortLike,
  create: (options: ServiceOptions) => BasiscopeService = (o) => new BasiscopeService(o),
): Promise<void> {
  const post = (m: FromService): void => port.postMessage(m)
  const workers = new Map<number, RelayedWorker>()
  let nextWorker = 1
  const workerFactory: WorkerFactory = () => {
    const workerId = nextWorker++
    const worker = relayedWorker(workerId, post)
    workers.set(workerId, worker)
    post({ type: 'worker.fork', workerId })
    return worker.handle
  }
  let service: BasiscopeService | null = null
  return new Promise((resolve) => {
    port.on('message', ({ data }) => {
      const m = data as ToService
      switch (m.type) {
        case 'init':
          try {
            service = create({ ...m.options, workerFactory })
            service.subscribe((message) => post({ type: 'event', message }))
            post({ type: 'ready' })
          } catch (e) {
            post({ type: 'init-failed', message: (e as Error).message })
          }
          return
        case 'call':
          if (!service) {
            const error = { code: 'INTERNAL' as const, message: 'the service is not started' }
            return post({ type: 'reply', callId: m.callId, reply: { id: null, ok: false, error } })
          }
          void service
            .handle(m.request)
            .then((reply) => post({ type: 'reply', callId: m.callId, reply }))
          return
        case 'worker.message':
          return workers.get(m.workerId)?.deliver(m.message)
        case 'worker.exit':
          workers.get(m.workerId)?.exited(m.code, m.stderrTail)
          workers.delete(m.workerId)
          return
        case 'close':
          void (service?.close() ?? Promise.resolve()).finally(() => {
            post({ type: 'closed' })
            resolve()
          })
          return
      }
    })
    post({ type: 'booted' })
  })
}
