import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { type Socket, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { Reply } from '../api/contract.ts'
import { type WebServer, type WebServerOptions, startWebServer } from './web-server.ts'

/**
 * D7: a client that sends requests and never reads the replies costs the server a bounded
 * amount (its socket is paused, then it is dropped), while other clients go on as usual.
 */

/** Every reply is 400 KB: 2000 unread ones would be 800 MB held by the server. */
const REPLY_BYTES = 400_000
const BIG = 'x'.repeat(REPLY_BYTES)
const handle = async (raw: unknown): Promise<Reply> => {
  const { id, command } = raw as { id: number; command: string }
  return { id, ok: true, value: command === 'big' ? BIG : 'small' }
}

const open: WebServer[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

async function start(options: Partial<WebServerOptions> = {}): Promise<WebServer> {
  const server = await startWebServer({
    handle,
    subscribe: () => () => {},
    workspaceDir: mkdtempSync(join(tmpdir(), 'trust-web-flow-')),
    ...options,
  })
  open.push(server)
  return server
}

/** A masked client text frame (RFC 6455 §5.2), for payloads under 64 KiB. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = randomBytes(4)
  const head =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))
  return Buffer.concat([head, mask, masked])
}

/**
 * A client speaking WebSocket by hand over a plain TCP socket that, once upgraded, never
 * reads again: what a stalled or malicious page does.
 */
async function stalledClient(server: WebServer): Promise<Socket> {
  const socket = connect(server.port, '127.0.0.1')
  await new Promise((ok) => socket.once('connect', ok))
  socket.write(
    `GET /api?token=${encodeURIComponent(server.token)} HTTP/1.1\r\n` +
      `Host: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n',
  )
  const head = await new Promise<string>((ok) => socket.once('data', (d: Buffer) => ok(String(d))))
  expect(head).toMatch(/^HTTP\/1\.1 101 /)
  socket.pause() // never read again
  return socket
}

async function healthyClient(server: WebServer) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`)
  await new Promise((ok, fail) => {
    ws.once('open', ok)
    ws.once('error', fail)
  })
  let nextId = 1
  const pending = new Map<number, (r: Reply) => void>()
  ws.on('message', (data: Buffer) => {
    const reply = JSON.parse(String(data)) as Reply
    pending.get(reply.id as number)?.(reply)
    pending.delete(reply.id as number)
  })
  const ask = (command: string) =>
    new Promise<Reply>((done) => {
      const id = nextId++
      pending.set(id, done)
      ws.send(JSON.stringify({ id, command }))
    })
  return { ws, ask }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// A full collection before each reading, so the figures are what is held, not garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
function heldBytes(): number {
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}
const MB = 1024 ** 2

describe('web server back-pressure', () => {
  it('a client that sends 2000 requests and never reads costs ≤ 50 MB; others go on', async () => {
    // Without the limits (all set huge) this client made the server hold 760 MB.
    const server = await start()
    const before = heldBytes()
    const stalled = await stalledClient(server)
    for (let i = 0; i < 2000; i++)
      stalled.write(textFrame(JSON.stringify({ id: i, command: 'big' })))

    const healthy = await healthyClient(server)
    let peakBuffered = 0
    let peakMemory = 0
    for (let round = 0; round < 20; round++) {
      await sleep(50)
      const reply = await healthy.ask('big')
      expect(reply).toMatchObject({ ok: true })
      peakMemory = Math.max(peakMemory, heldBytes() - before)
      for (const c of server.clients()) peakBuffered = Math.max(peakBuffered, c.buffered)
    }
    console.log(
      `stalled client: peak buffered ${(peakBuffered / MB).toFixed(1)} MB, ` +
        `peak heap+external growth ${(peakMemory / MB).toFixed(1)} MB`,
    )
    const [stuck] = server.clients().filter((c) => c.paused)
    expect(stuck).toBeDefined() // its requests are no longer read
    expect(peakBuffered).toBeLessThanOrEqual(50 * MB)
    expect(peakMemory).toBeLessThan(50 * MB)
    stalled.destroy()
    healthy.ws.close()
  }, 30_000)

  it('drops a client that stays behind for too long; a reading one stays', async () => {
    const server = await start({ flowLimits: { stallMs: 300 } })
    const stalled = await stalledClient(server)
    for (let i = 0; i < 200; i++)
      stalled.write(textFrame(JSON.stringify({ id: i, command: 'big' })))
    const healthy = await healthyClient(server)
    const deadline = Date.now() + 10_000
    while (server.clients().length > 1 && Date.now() < deadline) {
      expect((await healthy.ask('small')).ok).toBe(true)
      await sleep(50)
    }
    expect(server.clients()).toHaveLength(1)
    expect((await healthy.ask('big')).ok).toBe(true)
    stalled.destroy()
    healthy.ws.close()
  }, 30_000)

  it('a client that reads gets every reply of a large burst, in full', async () => {
    const server = await start()
    const healthy = await healthyClient(server)
    const replies = await Promise.all(Array.from({ length: 200 }, () => healthy.ask('big')))
    expect(replies.every((r) => r.ok && r.value === BIG)).toBe(true)
    healthy.ws.close()
  }, 30_000)
})
