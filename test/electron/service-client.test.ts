import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import type { UtilityProcess } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { Reply } from '../../core/api/contract.ts'
import { ServiceClient } from '../../electron/service-client.ts'
import type { FromService, ToService } from '../../electron/service-protocol.ts'

/** A stand-in utility process; `serve` plays the service process's side. */
function fakeProcess(serve: (m: ToService, reply: (m: FromService) => void) => void) {
  const child = Object.assign(new EventEmitter(), {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    posted: [] as ToService[],
    postMessage(m: ToService) {
      child.posted.push(m)
      queueMicrotask(() => serve(m, (r) => child.emit('message', r)))
    },
    kill: vi.fn(() => true),
    crash(code: number, stderr = '') {
      child.stderr.write(stderr)
      setImmediate(() => child.emit('exit', code))
    },
  })
  queueMicrotask(() => child.emit('message', { type: 'booted' }))
  return child
}

/** A service that answers every call with its command name, and nothing else. */
const echo = (m: ToService, reply: (m: FromService) => void) => {
  if (m.type === 'init') reply({ type: 'ready' })
  if (m.type === 'call') {
    const { id, command } = m.request as { id: number; command: string }
    reply({ type: 'reply', callId: m.callId, reply: { id, ok: true, value: command } })
  }
  if (m.type === 'close') reply({ type: 'closed' })
}

function setup(serve = echo) {
  const processes: ReturnType<typeof fakeProcess>[] = []
  const fork = vi.fn((modulePath: string) => {
    const p = fakeProcess(modulePath.endsWith('service.js') ? serve : () => {})
    processes.push(p)
    return p as unknown as UtilityProcess
  })
  const onGiveUp = vi.fn()
  const client = new ServiceClient({
    fork,
    serviceEntry: '/app/out/main/service.js',
    workerEntry: '/app/out/main/worker.js',
    init: {
      workspaceDir: '/ws',
      presetsDir: '/p',
      exportDir: '/dl',
      concurrency: 1,
      recordRecents: true,
    },
    onEvent: () => {},
    onGiveUp,
  })
  return { client, fork, processes, onGiveUp }
}

describe('the main process’s service client', () => {
  it('forks the service as a named utility process and sets it up once it listens', async () => {
    const { client, fork, processes } = setup()
    await client.start()
    expect(fork).toHaveBeenCalledWith('/app/out/main/service.js', [], {
      serviceName: 'basiscope-service',
      stdio: 'pipe',
    })
    expect(processes[0].posted[0]).toMatchObject({ type: 'init', options: { workspaceDir: '/ws' } })
    expect(await client.call({ id: 7, command: 'app.info', params: {} })).toEqual({
      id: 7,
      ok: true,
      value: 'app.info',
    })
  })

  it('fails calls in flight when the service dies, naming why, and restarts it', async () => {
    const silent = (m: ToService, reply: (m: FromService) => void) => {
      if (m.type === 'init') reply({ type: 'ready' })
    }
    const { client, fork, processes } = setup(silent)
    await client.start()
    const inFlight = client.call({ id: 1, command: 'runs.list', params: {} })
    processes[0].crash(134, 'FATAL: out of memory\n')
    const reply: Reply = await inFlight
    expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(!reply.ok && reply.error.message).toBe(
      'the Basiscope service process stopped (exit code 134): FATAL: out of memory',
    )
    await vi.waitFor(() => expect(fork).toHaveBeenCalledTimes(2))
    await vi.waitFor(() => expect(processes[1].posted[0]?.type).toBe('init'))
  })

  it('gives up when the service keeps crashing', async () => {
    const { client, processes, onGiveUp } = setup()
    await client.start()
    for (let i = 0; i <= 3; i++) {
      await vi.waitFor(() => expect(processes[i]?.posted[0]?.type).toBe('init'))
      processes[i].crash(1)
    }
    await vi.waitFor(() => expect(onGiveUp).toHaveBeenCalledOnce())
    expect(onGiveUp.mock.calls[0][0]).toMatch(/exit code 1/)
  })

  it('reports a service that cannot start', async () => {
    const refusing = (m: ToService, reply: (m: FromService) => void) => {
      if (m.type === 'init') reply({ type: 'init-failed', message: '/ws: permission denied' })
    }
    const { client } = setup(refusing)
    await expect(client.start()).rejects.toThrow('/ws: permission denied')
  })

  it('closes the service and refuses calls afterwards', async () => {
    const { client, processes } = setup()
    await client.start()
    await client.close()
    expect(processes[0].posted.at(-1)).toEqual({ type: 'close' })
    expect(await client.call({ id: 2, command: 'app.info', params: {} })).toMatchObject({
      ok: false,
      error: { message: 'Basiscope is quitting' },
    })
  })
})
