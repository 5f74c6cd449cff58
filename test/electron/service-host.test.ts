import { EventEmitter } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { Reply } from '../../core/api/contract.ts'
import { serveService } from '../../electron/service-host.ts'
import type { FromService, ToService } from '../../electron/service-protocol.ts'

/** The service process's body over an in-memory port, with the test playing main. */
function harness() {
  const port = new EventEmitter()
  const posted: FromService[] = []
  const fake = Object.assign(port, {
    postMessage: (m: unknown) => posted.push(m as FromService),
  })
  const done = serveService(fake)
  const send = (m: ToService) => port.emit('message', { data: m })
  const next = async <T extends FromService['type']>(type: T, from = 0) => {
    let found: Extract<FromService, { type: T }> | undefined
    await vi.waitFor(() => {
      found = posted
        .slice(from)
        .find((m): m is Extract<FromService, { type: T }> => m.type === type)
      expect(found).toBeDefined()
    })
    return found!
  }
  let callId = 0
  const call = async (command: string, params: unknown): Promise<Reply> => {
    const id = ++callId
    const from = posted.length
    send({ type: 'call', callId: id, request: { id, command, params } })
    await vi.waitFor(() =>
      expect(posted.slice(from).some((m) => m.type === 'reply' && m.callId === id)).toBe(true),
    )
    return (posted.find((m) => m.type === 'reply' && m.callId === id) as { reply: Reply }).reply
  }
  return { posted, send, next, call, done }
}

const init = (): ToService => ({
  type: 'init',
  options: {
    workspaceDir: mkdtempSync(join(tmpdir(), 'basiscope-svchost-')),
    presetsDir: join(process.cwd(), 'resources/presets'),
    exportDir: mkdtempSync(join(tmpdir(), 'basiscope-svchost-out-')),
    concurrency: 1,
    recordRecents: true,
  },
})

describe('the service process body', () => {
  it('says it listens, then serves the contract once initialised', async () => {
    const h = harness()
    expect(h.posted[0]).toEqual({ type: 'booted' })
    const early = await h.call('app.info', {})
    expect(early).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: 'the service is not started' },
    })
    h.send(init())
    await h.next('ready')
    expect(await h.call('projects.create', { name: 'Remote' })).toMatchObject({
      ok: true,
      value: { name: 'Remote' },
    })
    expect(await h.call('projects.create', { name: 7 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    h.send({ type: 'close' })
    await h.done
    expect(h.posted.at(-1)).toEqual({ type: 'closed' })
  })

  it('asks main for job workers and runs them through main’s relay', async () => {
    const h = harness()
    h.send(init())
    await h.next('ready')
    const created = await h.call('projects.create', { name: 'Jobs' })
    const project = (created as { value: { id: string } }).value.id
    const from = h.posted.length
    const started = await h.call('runs.start', { project, config: {} })
    expect(started.ok).toBe(true)
    const fork = await h.next('worker.fork', from)
    // Main relays the worker's messages: ready → the service sends start.
    h.send({ type: 'worker.message', workerId: fork.workerId, message: { type: 'ready' } })
    const start = await h.next('worker.send', from)
    expect(start).toMatchObject({ workerId: fork.workerId, message: { type: 'start' } })
    h.send({
      type: 'worker.message',
      workerId: fork.workerId,
      message: { type: 'failed', error: { code: 'INTERNAL', message: 'boom in the worker' } },
    })
    const failed = await vi.waitFor(() => {
      const e = h.posted.find(
        (m) =>
          m.type === 'event' &&
          m.message.event === 'run.status' &&
          m.message.payload.status === 'failed',
      )
      expect(e).toBeDefined()
      return e as Extract<FromService, { type: 'event' }>
    })
    expect(failed.message.payload).toMatchObject({
      projectId: project,
      error: 'boom in the worker',
    })
    // The runner kills a finished worker after a grace period; main hears of its exit.
    h.send({ type: 'worker.exit', workerId: fork.workerId, code: 0, stderrTail: '' })
    h.send({ type: 'close' })
    await h.done
  })
})
