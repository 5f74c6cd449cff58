import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventMessage, Reply } from '../../core/api/contract.ts'
import { BasiscopeService, type ServiceOptions } from '../../core/service/service.ts'

/** Driving a real BasiscopeService in tests: calls that throw on failure, awaited events. */

/** A small run that finishes in a few seconds. */
export const tinyConfig = {
  data: { source: 'mnist-embedded', split: { kind: 'random', train: 400, test: 100, seed: 1 } },
  model: { source: 'train', hidden: [12, 8], epochs: 2, learningRate: 0.005 },
  rotation: { samples: 40, maxSteps: 12, budgetSeconds: 30 },
}

let nextId = 1

/** The reply of one command, as the transports see it. */
export function ask(
  service: BasiscopeService,
  command: string,
  params: unknown = {},
): Promise<Reply> {
  return service.handle({ id: nextId++, command, params })
}

/** The value of one command; a failed reply throws with its code and message. */
export async function call<T>(
  service: BasiscopeService,
  command: string,
  params: unknown = {},
): Promise<T> {
  const reply = await ask(service, command, params)
  if (!reply.ok) throw new Error(`${command}: ${reply.error.code} ${reply.error.message}`)
  return reply.value as T
}

/** The first event that satisfies `predicate`. */
export function waitForEvent(
  service: BasiscopeService,
  predicate: (m: EventMessage) => boolean,
  timeoutMs = 120_000,
): Promise<EventMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs)
    const off = service.subscribe((m) => {
      if (predicate(m)) {
        clearTimeout(timer)
        off()
        resolve(m)
      }
    })
  })
}

export const statusIs =
  (runId: number, ...statuses: string[]) =>
  (m: EventMessage): boolean =>
    m.event === 'run.status' && m.payload.runId === runId && statuses.includes(m.payload.status)

/** Services made by a test, closed by `closeAll` (call it in afterEach). */
export function serviceFactory() {
  const made: BasiscopeService[] = []
  return {
    make(options: Partial<ServiceOptions> = {}): BasiscopeService {
      const service = new BasiscopeService({
        workspaceDir: mkdtempSync(join(tmpdir(), 'basiscope-svc-')),
        exportDir: mkdtempSync(join(tmpdir(), 'basiscope-exports-')),
        ...options,
      })
      made.push(service)
      return service
    },
    async closeAll(): Promise<void> {
      for (const s of made.splice(0)) await s.close()
    },
  }
}
