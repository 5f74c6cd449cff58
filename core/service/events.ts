import type { EventMessage, EventName, EventPayload } from '../api/contract.ts'

export type EventListener = (message: EventMessage) => void

/** The backend's events, fanned out to every subscriber (each window, the web page, the CLI). */
export class EventHub {
  private readonly listeners = new Set<EventListener>()

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const message = { event, payload } as EventMessage
    for (const l of this.listeners) {
      try {
        l(message)
      } catch {
        // A broken listener must not stop the others or the job.
      }
    }
  }
}
