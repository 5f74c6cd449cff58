import { z } from 'zod'
import type { PickPathRequest } from '../core/api/bridge.ts'
import { type Reply, replyIdOf, requestSchema } from '../core/api/contract.ts'
import type { Admission, PageRequest } from './path-grants.ts'
import { originOf } from './security.ts'

/**
 * Every IPC message is checked here before it reaches the service (DESIGN.md §5): who sent it
 * (only the main window's top frame, showing the app's own origin) and what it is (the
 * contract's request envelope, the pick-path request). Pure, so it is unit-tested without
 * Electron; main.ts turns an `IpcMainInvokeEvent` into a `SenderInfo`.
 */

export interface SenderInfo {
  /** `event.sender` is the main window's webContents. */
  readonly fromMainWindow: boolean
  /** `event.senderFrame` is that webContents' top frame (not an iframe). */
  readonly isTopFrame: boolean
  /** `event.senderFrame.url`; null when the frame is gone (navigated away or destroyed). */
  readonly frameUrl: string | null
}

/** Raised (and so rejected to the caller) for messages from anything but the app's page. */
export class IpcRefusedError extends Error {
  constructor(reason: string) {
    super(`IPC refused: ${reason}`)
    this.name = 'IpcRefusedError'
  }
}

/** Why a sender is refused, or null when it is the app's own page. */
export function senderRefusal(sender: SenderInfo, origins: readonly string[]): string | null {
  if (!sender.fromMainWindow) return 'the sender is not the Basiscope window'
  if (!sender.isTopFrame) return 'the sender is a subframe'
  if (sender.frameUrl === null) return 'the sending frame is gone'
  const origin = originOf(sender.frameUrl)
  if (origin === null || !origins.includes(origin)) {
    return `the sending page is not the app (origin ${origin ?? 'opaque'})`
  }
  return null
}

/** Throws IpcRefusedError unless the sender is the app's page. */
export function assertTrustedSender(sender: SenderInfo, origins: readonly string[]): void {
  const reason = senderRefusal(sender, origins)
  if (reason !== null) throw new IpcRefusedError(reason)
}

function issuesText(error: z.ZodError): {
  message: string
  details: { path: string; message: string }[]
} {
  const details = error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(request)',
    message: i.message,
  }))
  return { message: details.map((i) => `${i.path}: ${i.message}`).join('; '), details }
}

/**
 * The `basiscope:call` handler body: refuses foreign senders, answers a malformed envelope with
 * BAD_REQUEST naming the field, refuses a path the page may not name (`admit`, the path
 * grants of path-grants.ts) with INVALID_ARGUMENT naming the field, and otherwise forwards the
 * message to the service — unchanged, or with what a dialog confirmed (`overwrite`) — whose
 * reply goes back exactly as it is.
 */
export async function guardedCall(
  sender: SenderInfo,
  payload: unknown,
  origins: readonly string[],
  handle: (raw: unknown) => Promise<Reply>,
  admit: (request: PageRequest) => Admission = (request) => ({ ok: true, request }),
): Promise<Reply> {
  assertTrustedSender(sender, origins)
  const parsed = requestSchema.safeParse(payload)
  if (!parsed.success) {
    const { message, details } = issuesText(parsed.error)
    return {
      id: replyIdOf(payload),
      ok: false,
      error: { code: 'BAD_REQUEST', message: `malformed request: ${message}`, details },
    }
  }
  const admission = admit(parsed.data)
  if (!admission.ok) {
    return {
      id: parsed.data.id,
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: `${parsed.data.command} refused: ${admission.message}`,
        details: [{ path: admission.field, message: admission.message }],
      },
    }
  }
  try {
    return await handle(admission.request === parsed.data ? payload : admission.request)
  } catch (e) {
    // handle() never throws by contract; if it does, the page still gets an envelope.
    return { id: replyIdOf(payload), ok: false, error: { code: 'INTERNAL', message: String(e) } }
  }
}

const shortText = (max: number) => z.string().min(1).max(max)

/** The runtime form of `PickPathRequest` (core/api/bridge.ts). */
export const pickPathRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('open-project') }),
  z.strictObject({ kind: z.literal('save-project'), defaultName: shortText(200) }),
  z.strictObject({ kind: z.literal('directory'), title: shortText(200) }),
])

// Compile-time check that the schema and the bridge's type describe the same requests.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const _pickPathSchemaMatchesBridge: Same<
  z.infer<typeof pickPathRequestSchema>,
  PickPathRequest
> = true
void _pickPathSchemaMatchesBridge

/** Validates a pick-path request; throws an error naming the bad field otherwise. */
export function parsePickPathRequest(payload: unknown): PickPathRequest {
  const parsed = pickPathRequestSchema.safeParse(payload)
  if (!parsed.success) throw new Error(`pickPath: ${issuesText(parsed.error).message}`)
  return parsed.data
}
