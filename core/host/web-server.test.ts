import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { EventMessage, Reply } from '../api/contract.ts'
import { type Handlers, dispatch } from '../service/dispatch.ts'
import { MAX_MESSAGE_BYTES, type WebServer, startWebServer } from './web-server.ts'

const SECRET = 'TOP-SECRET-CONTENTS'

/** A tiny backend: real dispatch (validation, unknown commands) over a few fake handlers. */
const handlers = {
  'app.info': () => ({ version: '9.9.9', workspace: '/tmp/workspace', concurrency: 1 }),
  'projects.list': () => [],
  'config.validate': async ({ config }: { config: unknown }) => {
    const delay = (config as { delay?: number } | null)?.delay ?? 0
    await new Promise((r) => setTimeout(r, delay))
    return { ok: true, config, issues: [] }
  },
} as unknown as Handlers
const handle = (raw: unknown): Promise<Reply> => dispatch(handlers, raw)

/** A fake event source that records its subscribers. */
function eventSource() {
  const listeners = new Set<(m: EventMessage) => void>()
  return {
    listeners,
    subscribe(listener: (m: EventMessage) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit(message: EventMessage) {
      for (const l of listeners) l(message)
    },
  }
}

function wsUrl(server: WebServer, token: string | null = server.token, path = '/api'): string {
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`
  return `ws://127.0.0.1:${server.port}${path}${query}`
}

/** Opens a client and collects every message it receives. */
async function connect(server: WebServer, headers: Record<string, string> = {}) {
  const ws = new WebSocket(wsUrl(server), { headers })
  const messages: unknown[] = []
  const waiters: Array<() => void> = []
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)))
    for (const w of waiters.splice(0)) w()
  })
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok())
    ws.once('error', fail)
  })
  /** Resolves once `count` messages have arrived in total. */
  const received = async (count: number) => {
    while (messages.length < count) await new Promise<void>((r) => waiters.push(r))
    return messages.slice(0, count)
  }
  return { ws, messages, received }
}

/** Attempts a WebSocket connection that must fail; resolves with the HTTP status. */
function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => fail(new Error('connection was accepted')))
    ws.once('error', (e) => {
      const match = /Unexpected server response: (\d+)/.exec(e.message)
      if (match) ok(Number(match[1]))
      else fail(e)
    })
  })
}

/** A raw HTTP request (fetch would normalize `..` and refuses to set Host). */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', fail)
    req.end()
  })
}

const open: WebServer[] = []
async function start(options: Partial<Parameters<typeof startWebServer>[0]> = {}) {
  const events = eventSource()
  const server = await startWebServer({
    handle,
    subscribe: events.subscribe,
    workspaceDir: mkdtempSync(join(tmpdir(), 'trust-web-ws-')),
    ...options,
  })
  open.push(server)
  return { server, events }
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

describe('web server: address and token', () => {
  it('listens on 127.0.0.1 with a per-launch token in its URL', async () => {
    const { server } = await start()
    const { server: other } = await start()
    expect(server.port).toBeGreaterThan(0)
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(other.token).not.toBe(server.token)
    const res = await fetch(server.url)
    expect(res.status).toBe(200)
  })

  it('refuses a WebSocket without a token, or with a wrong one, with 401', async () => {
    const { server } = await start({ token: 'right-token' })
    expect(await refusedStatus(wsUrl(server, null))).toBe(401)
    expect(await refusedStatus(wsUrl(server, 'wrong-token'))).toBe(401)
    expect(await refusedStatus(wsUrl(server, 'right-token-but-longer'))).toBe(401)
    expect(await refusedStatus(wsUrl(server, ''))).toBe(401)
  })

  it('refuses a foreign Origin even with the right token (403), accepts its own', async () => {
    const { server } = await start()
    const url = wsUrl(server)
    expect(await refusedStatus(url, { Origin: 'http://evil.example' })).toBe(403)
    expect(await refusedStatus(url, { Origin: 'null' })).toBe(403)
    expect(await refusedStatus(url, { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403)
    for (const origin of [server.origin, `http://localhost:${server.port}`]) {
      const { ws } = await connect(server, { Origin: origin })
      ws.close()
    }
  })

  it('refuses a foreign Host header on HTTP (421) and on the WebSocket', async () => {
    const { server } = await start()
    const page = await rawGet(server.port, '/', { Host: `evil.example:${server.port}` })
    expect(page.status).toBe(421)
    expect(page.body).not.toContain('Basiscope')
    expect(await refusedStatus(wsUrl(server), { Host: `evil.example:${server.port}` })).toBe(421)
    expect((await rawGet(server.port, '/', { Host: `localhost:${server.port}` })).status).toBe(200)
  })

  it('serves the API on /api only', async () => {
    const { server } = await start()
    expect(await refusedStatus(wsUrl(server, server.token, '/other'))).toBe(404)
  })
})

describe('web server: WebSocket protocol', () => {
  it('answers a request with a reply carrying its id', async () => {
    const { server } = await start()
    const { ws, received } = await connect(server)
    ws.send(JSON.stringify({ id: 'a1', command: 'app.info', params: {} }))
    expect(await received(1)).toEqual([
      {
        id: 'a1',
        ok: true,
        value: { version: '9.9.9', workspace: '/tmp/workspace', concurrency: 1 },
      },
    ])
    ws.close()
  })

  it('handles requests concurrently: a fast reply overtakes a slow one', async () => {
    const { server } = await start()
    const { ws, received } = await connect(server)
    ws.send(
      JSON.stringify({ id: 1, command: 'config.validate', params: { config: { delay: 150 } } }),
    )
    ws.send(JSON.stringify({ id: 2, command: 'config.validate', params: { config: { delay: 0 } } }))
    const replies = (await received(2)) as Reply[]
    expect(replies.map((r) => r.id)).toEqual([2, 1])
    expect(replies.every((r) => r.ok)).toBe(true)
    ws.close()
  })

  it('answers malformed JSON with BAD_REQUEST and id null, and stays open', async () => {
    const { server } = await start()
    const { ws, received } = await connect(server)
    ws.send('{"id": 1, "command": ')
    ws.send(JSON.stringify({ id: 3, command: 'projects.list' }))
    const [bad, good] = (await received(2)) as Reply[]
    expect(bad).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } })
    expect(!bad.ok && bad.error.message).toMatch(/^invalid JSON: /)
    expect(good).toEqual({ id: 3, ok: true, value: [] })
    ws.close()
  })

  it('passes validation failures through from dispatch', async () => {
    const { server } = await start()
    const { ws, received } = await connect(server)
    ws.send(JSON.stringify({ id: 4, command: 'nope.nothing', params: {} }))
    ws.send(JSON.stringify({ id: 5, command: 'app.info', params: { extra: true } }))
    ws.send(JSON.stringify({ command: 'app.info' }))
    const replies = (await received(3)) as Reply[]
    const byId = (id: unknown) => replies.find((r) => r.id === id)
    expect(byId(4)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } })
    expect(byId(5)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(byId(null)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    ws.close()
  })

  it('refuses frames larger than 16 MiB by closing with 1009', async () => {
    const { server } = await start()
    const { ws } = await connect(server)
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
    ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1))
    expect(await closed).toBe(1009)
  })

  it('fans every event out to every client, and unsubscribes on close', async () => {
    const { server, events } = await start()
    expect(events.listeners.size).toBe(1)
    const a = await connect(server)
    const b = await connect(server)
    const progress: EventMessage = {
      event: 'job.progress',
      payload: {
        jobId: 'j1',
        project: '/p.basiscope',
        projectId: 'id-1',
        runId: 1,
        phase: 'train',
        message: 'epoch 1',
        fraction: 0.5,
        etaSeconds: 3,
      },
    }
    const status: EventMessage = {
      event: 'run.status',
      payload: {
        project: '/p.basiscope',
        projectId: 'id-1',
        runId: 1,
        status: 'completed',
        error: null,
      },
    }
    events.emit(progress)
    events.emit(status)
    expect(await a.received(2)).toEqual([progress, status])
    expect(await b.received(2)).toEqual([progress, status])
    await server.close()
    expect(events.listeners.size).toBe(0)
  })
})

describe('web server: static files', () => {
  let dir: string
  let staticDir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'basiscope-web-'))
    staticDir = join(dir, 'static')
    mkdirSync(join(staticDir, 'assets'), { recursive: true })
    writeFileSync(join(dir, 'package.json'), `{"secret": "${SECRET}"}`)
    writeFileSync(join(dir, 'secret.txt'), SECRET)
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>UI</title>')
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(staticDir, 'assets', 'app.css'), 'body{}')
    writeFileSync(join(staticDir, 'assets', 'engine.wasm'), Buffer.from([0, 97, 115, 109]))
    writeFileSync(join(staticDir, 'assets', 'font.woff2'), 'w')
    symlinkSync(join(dir, 'secret.txt'), join(staticDir, 'escape.txt'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('serves index.html at / with the security headers, and assets with their types', async () => {
    const { server } = await start({ staticDir })
    const res = await fetch(`${server.origin}/`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<title>UI</title>')
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${server.port} ` +
        `ws://localhost:${server.port}; img-src 'self' data: blob:; ` +
        `style-src 'self' 'unsafe-inline'; script-src 'self' 'wasm-unsafe-eval'; ` +
        `object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    )
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('cache-control')).toBe('no-store')

    const types: Record<string, string> = {
      '/assets/app.js': 'text/javascript; charset=utf-8',
      '/assets/app.css': 'text/css; charset=utf-8',
      '/assets/engine.wasm': 'application/wasm',
      '/assets/font.woff2': 'font/woff2',
    }
    for (const [path, type] of Object.entries(types)) {
      const asset = await fetch(`${server.origin}${path}`)
      expect(asset.status, path).toBe(200)
      expect(asset.headers.get('content-type'), path).toBe(type)
      await asset.arrayBuffer()
    }
  })

  it('never serves files outside staticDir', async () => {
    const { server } = await start({ staticDir })
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/secret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/escape.txt',
      '/%00',
      '/%E0%A4%A',
      `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    ]
    for (const path of attempts) {
      const res = await rawGet(server.port, path)
      expect([400, 403, 404], path).toContain(res.status)
      expect(res.body, path).not.toContain(SECRET)
    }
  })

  it('answers unknown paths with 404 and other methods with 405', async () => {
    const { server } = await start({ staticDir })
    expect((await fetch(`${server.origin}/missing.js`)).status).toBe(404)
    expect((await fetch(`${server.origin}/assets`)).status).toBe(404)
    const post = await fetch(`${server.origin}/`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    const head = await rawGet(server.port, '/assets/app.js', {}, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe('14')
    expect(head.body).toBe('')
  })

  it('serves the status page and its script when the UI is not built', async () => {
    for (const missing of [null, join(dir, 'does-not-exist')]) {
      const { server } = await start({ staticDir: missing })
      const page = await fetch(server.url)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(page.headers.get('cache-control')).toBe('no-store')
      const html = await page.text()
      expect(html).toContain(
        'Basiscope backend is running (web mode). The desktop UI is not built yet.',
      )
      expect(html).toContain('<script src="/status.js" defer></script>')
      expect(html).not.toMatch(/<script>/)

      const script = await fetch(`${server.origin}/status.js`)
      expect(script.status).toBe(200)
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      const js = await script.text()
      expect(js).toContain("command: 'app.info'")
      expect(js).toContain("command: 'projects.list'")
      expect(() => new Function(js)).not.toThrow()
      expect((await fetch(`${server.origin}/assets/app.js`)).status).toBe(404)
    }
  })
})

describe('web server: close', () => {
  it('closes every client and stops listening', async () => {
    const { server, events } = await start()
    const a = await connect(server)
    const b = await connect(server)
    const closed = [a, b].map(
      (c) => new Promise<number>((r) => c.ws.once('close', (code) => r(code))),
    )
    // A keep-alive HTTP connection must not hold the server open.
    expect((await fetch(server.url)).status).toBe(200)
    await server.close()
    expect(await Promise.all(closed)).toEqual([1001, 1001])
    expect(events.listeners.size).toBe(0)
    await expect(fetch(server.url)).rejects.toThrow()
    await server.close() // idempotent
  })
})
