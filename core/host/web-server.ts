import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import { type EventMessage, type Reply, replyIdOf } from '../api/contract.ts'
import { STATUS_TEXT, contentTypeOf, resolveStaticFile } from './static-files.ts'
import { secretsEqual } from './web-auth.ts'
import { MAX_UPLOAD_BYTES, fileRoutes } from './web-files.ts'
import { ClientFlow, DEFAULT_FLOW_LIMITS, type FlowLimits, type FlowState } from './web-flow.ts'
import { outsideWorkspace } from './web-paths.ts'
import { STATUS_SCRIPT_PATH, statusPageHtml, statusPageScript } from './status-page.ts'

/**
 * Web mode (DESIGN.md §3): the same typed API the Electron shell carries over IPC, served to
 * a browser on this machine. One `node:http` server on 127.0.0.1 serves the built renderer
 * (or a status page) and upgrades `/api` to a WebSocket that carries request/reply envelopes
 * and backend events. The API needs the per-launch token; origins, hosts and paths are
 * checked so that other pages in the browser (or DNS rebinding) cannot reach it.
 */
export interface WebServerOptions {
  /** Validates and runs one raw request object; returns the reply envelope. */
  handle(raw: unknown): Promise<Reply>
  /** Subscribes to backend events; returns an unsubscribe function. */
  subscribe(listener: (message: EventMessage) => void): () => void
  /** The service's workspace folder: the only place a page may name files in (web-paths.ts). */
  workspaceDir: string
  /** Directory of the built renderer (index.html + assets); null/missing → the status page. */
  staticDir?: string | null
  /** Port on 127.0.0.1; default 0 = any free port. */
  port?: number
  /** API access token; default: 32 random bytes (base64url), new on every launch. */
  token?: string
  /** Largest project file accepted for import by upload; default MAX_UPLOAD_BYTES. */
  maxUploadBytes?: number
  /** Per-client back-pressure limits (web-flow.ts); default DEFAULT_FLOW_LIMITS. */
  flowLimits?: Partial<FlowLimits>
}

export interface WebServer {
  /** `http://127.0.0.1:PORT/?token=…`: the address to open in a browser. */
  url: string
  /** `http://127.0.0.1:PORT`. */
  origin: string
  port: number
  token: string
  /** What each connected API client costs the server now. */
  clients(): FlowState[]
  /** Closes every client connection and the server. Idempotent. */
  close(): Promise<void>
}

/** Largest WebSocket message accepted from a client. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024
const API_PATH = '/api'
/** How long `close()` waits for clients to finish the close handshake before cutting them. */
const CLOSE_GRACE_MS = 500

function messageText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

/** The built renderer's directory (resolved through symlinks), or null when it is not built. */
async function staticRoot(dir: string | null | undefined): Promise<string | null> {
  if (!dir) return null
  try {
    const root = await realpath(resolve(dir))
    const index = await stat(join(root, 'index.html'))
    return index.isFile() ? root : null
  } catch {
    return null
  }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`port: expected an integer from 0 to 65535, got ${port}`)
  }
  const token = options.token ?? randomBytes(32).toString('base64url')
  if (token.length === 0) throw new RangeError('token: must not be empty')
  const root = await staticRoot(options.staticDir)

  // Set once listening; nothing can arrive before then.
  let origin = ''
  let allowedHosts = new Set<string>()
  let allowedOrigins = new Set<string>()
  let securityHeaders: Record<string, string> = {}

  const hostAllowed = (req: IncomingMessage) =>
    allowedHosts.has((req.headers.host ?? '').toLowerCase())
  const pathnameOf = (url: string | undefined) => (url ?? '').split(/[?#]/, 1)[0] ?? ''

  function sendText(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    extra: Record<string, string> = {},
  ) {
    const body = `${status} ${STATUS_TEXT[status] ?? ''}\n`
    res.writeHead(status, {
      ...securityHeaders,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      ...extra,
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  function sendBody(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    contentType: string,
    noStore: boolean,
  ) {
    res.writeHead(200, {
      ...securityHeaders,
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      ...(noStore ? { 'Cache-Control': 'no-store' } : {}),
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  const files = fileRoutes({
    handle: options.handle,
    token,
    maxUploadBytes: options.maxUploadBytes ?? MAX_UPLOAD_BYTES,
    headers: () => securityHeaders,
    confine: (raw) => outsideWorkspace(options.workspaceDir, raw),
    originAllowed: (req) =>
      req.headers.origin === undefined || allowedOrigins.has(req.headers.origin.toLowerCase()),
  })

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return sendText(req, res, 421)
    if (files.owns(pathnameOf(req.url))) {
      return files.serve(req, res, new URL(`${origin}${req.url ?? '/'}`))
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(req, res, 405, { Allow: 'GET, HEAD' })
    }
    const pathname = pathnameOf(req.url)
    if (!pathname.startsWith('/')) return sendText(req, res, 400)

    if (root === null) {
      if (pathname === '/' || pathname === '/index.html') {
        return sendBody(req, res, statusPageHtml(), contentTypeOf('index.html'), true)
      }
      if (pathname === STATUS_SCRIPT_PATH) {
        return sendBody(req, res, statusPageScript(), contentTypeOf('status.js'), true)
      }
      return sendText(req, res, 404)
    }

    const found = await resolveStaticFile(root, pathname)
    if ('status' in found) return sendText(req, res, found.status)
    const type = contentTypeOf(found.file)
    res.writeHead(200, {
      ...securityHeaders,
      'Content-Type': type,
      'Content-Length': found.size,
      ...(type.startsWith('text/html') ? { 'Cache-Control': 'no-store' } : {}),
    })
    if (req.method === 'HEAD') return void res.end()
    await pipeline(createReadStream(found.file), res)
  }

  /** Answers a refused upgrade with a plain HTTP response and drops the connection. */
  function refuseUpgrade(socket: Duplex, status: number): void {
    const body = `${status} ${STATUS_TEXT[status] ?? ''}\n`
    socket.once('finish', () => socket.destroy())
    setTimeout(() => socket.destroy(), 1000).unref()
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body,
    )
  }

  /** The status to refuse an API upgrade with, or null when it may proceed. */
  function upgradeRefusal(req: IncomingMessage): number | null {
    if (!hostAllowed(req)) return 421
    const url = req.url ?? ''
    if (pathnameOf(url) !== API_PATH) return 404
    const requestOrigin = req.headers.origin
    if (requestOrigin !== undefined && !allowedOrigins.has(requestOrigin.toLowerCase())) return 403
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1).split('#', 1)[0] : ''
    const given = new URLSearchParams(query).get('token')
    if (given === null || !secretsEqual(given, token)) return 401
    return null
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  const flowLimits: FlowLimits = { ...DEFAULT_FLOW_LIMITS, ...options.flowLimits }
  const flows = new Map<WebSocket, ClientFlow>()

  function serializeReply(reply: Reply, raw: unknown): string {
    try {
      return JSON.stringify(reply)
    } catch (e) {
      return JSON.stringify({
        id: reply.id ?? replyIdOf(raw),
        ok: false,
        error: { code: 'INTERNAL', message: `reply not serializable: ${(e as Error).message}` },
      } satisfies Reply)
    }
  }

  const failed = (message: string): string =>
    JSON.stringify({ id: null, ok: false, error: { code: 'BAD_REQUEST', message } } satisfies Reply)

  /** The reply to one message, as text. */
  async function answer(data: RawData, isBinary: boolean): Promise<string> {
    if (isBinary) return failed('expected a JSON text frame, got binary')
    let raw: unknown
    try {
      raw = JSON.parse(messageText(data))
    } catch (e) {
      return failed(`invalid JSON: ${(e as Error).message}`)
    }
    let reply: Reply
    try {
      reply = outsideWorkspace(options.workspaceDir, raw) ?? (await options.handle(raw))
    } catch (e) {
      // handle() should never throw; if it does, the client still gets an answer.
      reply = { id: replyIdOf(raw), ok: false, error: { code: 'INTERNAL', message: String(e) } }
    }
    return serializeReply(reply, raw)
  }

  wss.on('connection', (ws: WebSocket) => {
    // Protocol errors (oversized or malformed frames) close the connection; ws reports
    // them here, and an unhandled 'error' would crash the process.
    ws.on('error', () => {})
    flows.set(ws, new ClientFlow(ws, flowLimits, answer))
    ws.on('close', () => flows.delete(ws))
  })

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(req, res, 500)
      else res.destroy()
    })
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {})
    const refusal = upgradeRefusal(req)
    if (refusal !== null) return refuseUpgrade(socket, refusal)
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', fail)
      ok()
    })
  })

  const actualPort = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${actualPort}`
  allowedHosts = new Set([`127.0.0.1:${actualPort}`, `localhost:${actualPort}`])
  allowedOrigins = new Set([origin, `http://localhost:${actualPort}`])
  securityHeaders = {
    'Content-Security-Policy':
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${actualPort} ` +
      `ws://localhost:${actualPort}; img-src 'self' data: blob:; ` +
      `style-src 'self' 'unsafe-inline'; script-src 'self' 'wasm-unsafe-eval'; ` +
      `object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }

  // One subscription per server, fanned out to every connected client.
  const unsubscribe = options.subscribe((message) => {
    if (wss.clients.size === 0) return
    let text: string
    try {
      text = JSON.stringify({ event: message.event, payload: message.payload })
    } catch {
      return
    }
    for (const flow of flows.values()) flow.send(text)
  })

  let closing: Promise<void> | null = null
  async function close(): Promise<void> {
    unsubscribe()
    files.close()
    const clients = [...wss.clients]
    await Promise.all(
      clients.map(
        (ws) =>
          new Promise<void>((done) => {
            if (ws.readyState === WebSocket.CLOSED) return done()
            const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS)
            ws.once('close', () => {
              clearTimeout(timer)
              done()
            })
            ws.close(1001, 'server shutting down')
          }),
      ),
    )
    await new Promise<void>((done) => wss.close(() => done()))
    await new Promise<void>((done, fail) => {
      server.close((e) => (e ? fail(e) : done()))
      server.closeAllConnections()
    })
  }

  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    port: actualPort,
    token,
    clients: () => [...flows.values()].map((f) => f.state),
    close: () => (closing ??= close()),
  }
}
