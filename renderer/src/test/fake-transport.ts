import type { EventMessage, Reply } from '../../../core/api/contract.ts'
import type { ErrorCode } from '../../../core/api/error-codes.ts'
import type { RunRecord } from '../../../core/api/records.ts'
import type { ConnectionState, Transport } from '../api/transport.ts'

/** A handler of the fake backend: returns the value, or throws `{code, message, details}`. */
export type FakeHandler = (params: Record<string, unknown>) => unknown

/**
 * A transport for store and component tests: commands are answered by the given handlers
 * (an unknown command fails like the real backend), events are pushed with `emit`, and the
 * connection can be dropped (`setState('closed')`: calls then fail as DISCONNECTED).
 */
export function fakeTransport(handlers: Record<string, FakeHandler>) {
  const listeners = new Set<(m: EventMessage) => void>()
  const stateListeners = new Set<(s: ConnectionState) => void>()
  let state: ConnectionState = 'open'
  const calls: { command: string; params: Record<string, unknown> }[] = []
  const transport: Transport = {
    async call(request): Promise<Reply> {
      const params = (request.params ?? {}) as Record<string, unknown>
      calls.push({ command: request.command, params })
      if (state !== 'open') {
        return {
          id: request.id,
          ok: false,
          error: { code: 'DISCONNECTED', message: 'lost the connection to the Basiscope server' },
        }
      }
      const handler = handlers[request.command]
      if (!handler) {
        return {
          id: request.id,
          ok: false,
          error: { code: 'UNKNOWN_COMMAND', message: `unknown command ${request.command}` },
        }
      }
      try {
        return { id: request.id, ok: true, value: await handler(params) }
      } catch (e) {
        const err = e as { code?: ErrorCode; message?: string; details?: unknown }
        return {
          id: request.id,
          ok: false,
          error: {
            code: err.code ?? 'INTERNAL',
            message: err.message ?? String(e),
            details: err.details,
          },
        }
      }
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
  }
  return {
    transport,
    calls,
    /** The commands called so far with their params, optionally only one command's. */
    callsOf(command: string) {
      return calls.filter((c) => c.command === command).map((c) => c.params)
    },
    emit(message: EventMessage) {
      for (const l of listeners) l(message)
    },
    setState(next: ConnectionState) {
      state = next
      for (const l of stateListeners) l(next)
    },
  }
}

/** Lets pending promise callbacks (replies, store updates) run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0))
}

/** A complete run record for tests: a completed run `id` unless `patch` says otherwise. */
export function runRecord(id: number, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    name: `run ${id}`,
    status: 'completed',
    createdAt: new Date(Date.UTC(2025, 0, id)).toISOString(),
    startedAt: null,
    finishedAt: null,
    config: {},
    backend: null,
    appVersion: '0.1.0',
    tfjsVersion: null,
    seed: 0,
    datasetSha256: null,
    error: null,
    tags: [],
    notes: '',
    notesUpdatedAt: null,
    configSummary: {},
    keyMetrics: {},
    group: null,
    ...patch,
  }
}
