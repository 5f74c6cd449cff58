import type { BasiscopeBridge } from '../../../core/api/bridge.ts'
import type { EventMessage, Reply } from '../../../core/api/contract.ts'

/** What the API client needs from a transport: Electron's preload bridge or the WebSocket. */
export type Transport = Pick<BasiscopeBridge, 'call' | 'onEvent'> & {
  /** Connection state for the status bar; IPC is always 'open'. */
  readonly state: () => ConnectionState
  onState(listener: (state: ConnectionState) => void): () => void
}

export type ConnectionState = 'connecting' | 'open' | 'closed'

/** Electron: the preload's bridge, as is. */
export function ipcTransport(bridge: BasiscopeBridge): Transport {
  return {
    call: (request) => bridge.call(request),
    onEvent: (listener) => bridge.onEvent(listener),
    state: () => 'open',
    onState: () => () => {},
  }
}

/** What a closed connection means for the requests in flight, by its close code. */
function closeMessage(e: CloseEvent): string {
  if (e.code === 1006) {
    return 'lost the connection to the Basiscope server (is `npm run web` still running?)'
  }
  if (e.code === 1009) return 'a request was too large for the server (1009: message too big)'
  return `connection closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`
}

interface Pending {
  resolve(reply: Reply): void
}

/**
 * Web mode: one WebSocket to the local server's /api, carrying the same request and reply
 * envelopes as IPC. Requests sent while (re)connecting wait for the socket; a dropped
 * connection fails the requests in flight with a clear error and reconnects with backoff.
 */
export function webSocketTransport(url: string): Transport {
  const pending = new Map<number, Pending>()
  const eventListeners = new Set<(m: EventMessage) => void>()
  const stateListeners = new Set<(s: ConnectionState) => void>()
  let state: ConnectionState = 'connecting'
  let socket: WebSocket | null = null
  let queue: string[] = []
  let retryMs = 250

  const setState = (s: ConnectionState) => {
    state = s
    for (const l of stateListeners) l(s)
  }

  function connect(): void {
    setState('connecting')
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      retryMs = 250
      setState('open')
      for (const text of queue) ws.send(text)
      queue = []
    }
    ws.onmessage = (e: MessageEvent) => {
      let message: unknown
      try {
        message = JSON.parse(String(e.data))
      } catch {
        return
      }
      if (message && typeof message === 'object' && 'event' in message) {
        for (const l of eventListeners) l(message as EventMessage)
        return
      }
      const reply = message as Reply
      if (typeof reply.id !== 'number') return
      const p = pending.get(reply.id)
      if (!p) return
      pending.delete(reply.id)
      p.resolve(reply)
    }
    ws.onclose = (e: CloseEvent) => {
      socket = null
      for (const [id, p] of pending) {
        p.resolve({
          id,
          ok: false,
          error: {
            code: 'DISCONNECTED',
            message: closeMessage(e),
          },
        })
      }
      pending.clear()
      setState('closed')
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }
  connect()

  return {
    call(request) {
      return new Promise<Reply>((resolve) => {
        pending.set(request.id, { resolve })
        const text = JSON.stringify(request)
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(text)
        else queue.push(text)
      })
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
  }
}

const TOKEN_KEY = 'basiscope.token'

/** The web page's access token, as kept in this tab ('' when it has none). */
export function webToken(storage: Storage = window.sessionStorage): string {
  return storage.getItem(TOKEN_KEY) ?? ''
}

/**
 * The web page's API address. The token arrives once in the URL (`?token=…`); it is kept
 * in sessionStorage and removed from the address bar so it is not bookmarked or shared.
 */
export function webSocketUrl(location: Location, storage: Storage, history: History): string {
  const params = new URLSearchParams(location.search)
  const given = params.get('token')
  if (given) {
    storage.setItem(TOKEN_KEY, given)
    params.delete('token')
    const query = params.toString()
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${query ? `?${query}` : ''}${location.hash}`,
    )
  }
  const token = given ?? storage.getItem(TOKEN_KEY) ?? ''
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`
}
