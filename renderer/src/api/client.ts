import type {
  CommandName,
  CommandParams,
  CommandResult,
  EventMessage,
  EventName,
  EventPayload,
} from '../../../core/api/contract.ts'
import { type Transport, ipcTransport, webSocketTransport, webSocketUrl } from './transport.ts'

/** A failed reply, thrown by `api.call`: the backend's code, message and details. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Field-level issues (`{path, message}`) when the backend sent them. */
  get issues(): { path: string; message: string }[] {
    return Array.isArray(this.details)
      ? (this.details as unknown[]).filter(
          (d): d is { path: string; message: string } =>
            !!d && typeof d === 'object' && 'path' in d && 'message' in d,
        )
      : []
  }
}

/** The typed API over whichever transport the page has. Stores call it; components never do. */
export class ApiClient {
  private nextId = 1

  constructor(readonly transport: Transport) {}

  async call<C extends CommandName>(
    command: C,
    ...args: Record<never, never> extends CommandParams<C>
      ? [params?: CommandParams<C>]
      : [params: CommandParams<C>]
  ): Promise<CommandResult<C>> {
    const reply = await this.transport.call({ id: this.nextId++, command, params: args[0] ?? {} })
    if (reply.ok) return reply.value as CommandResult<C>
    throw new ApiError(reply.error.code, reply.error.message, reply.error.details)
  }

  /** Subscribes to one event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.transport.onEvent((m: EventMessage) => {
      if (m.event === event) listener(m.payload as EventPayload<E>)
    })
  }
}

let client: ApiClient | null = null

/** The page's client: Electron's preload bridge when present, else the web mode's socket. */
export function api(): ApiClient {
  if (!client) {
    const transport = window.basiscope
      ? ipcTransport(window.basiscope)
      : webSocketTransport(webSocketUrl(window.location, window.sessionStorage, window.history))
    client = new ApiClient(transport)
  }
  return client
}

/** Tests install a client over a fake transport. */
export function setApiClient(c: ApiClient | null): void {
  client = c
}
