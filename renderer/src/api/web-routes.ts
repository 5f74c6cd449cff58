import { TOKEN_HEADER, WEB_ROUTES } from '../../../core/api/bridge.ts'
import type { Reply } from '../../../core/api/contract.ts'
import type { ProjectInfo } from '../../../core/api/records.ts'
import { ApiError } from './client.ts'
import { webToken } from './transport.ts'

/**
 * Web mode's HTTP routes beside the API socket (core/api/bridge.ts `WEB_ROUTES`): whether
 * this tab's token is the server's, and project files down and up, which a page cannot move
 * over the socket. Same envelopes and errors as the API; Electron has native dialogs instead.
 */

/** What the server says of this tab's token: `valid`, or what to do instead. */
export interface TokenStatus {
  readonly token: 'valid' | 'missing' | 'invalid'
  readonly message: string
}

async function envelope<T>(response: Response): Promise<T> {
  let reply: Reply<T>
  try {
    reply = (await response.json()) as Reply<T>
  } catch {
    throw new ApiError('INTERNAL', `the server answered ${response.status} without a reply`)
  }
  if (reply.ok) return reply.value
  throw new ApiError(reply.error.code, reply.error.message, reply.error.details)
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { [TOKEN_HEADER]: webToken(), ...extra }
}

export async function tokenStatus(): Promise<TokenStatus> {
  return envelope<TokenStatus>(await fetch(WEB_ROUTES.status, { headers: headers() }))
}

/** A project exported to a one-time download link (it works once, for a few minutes). */
export interface ProjectDownload {
  readonly download: string
  readonly filename: string
  readonly bytes: number
}

export async function exportProjectLink(project: string): Promise<ProjectDownload> {
  const url = `${WEB_ROUTES.exportProject}?project=${encodeURIComponent(project)}`
  return envelope<ProjectDownload>(await fetch(url, { method: 'POST', headers: headers() }))
}

/** Uploads a `.basiscope` file and imports it into the workspace. */
export async function uploadProject(file: File): Promise<ProjectInfo> {
  const url = `${WEB_ROUTES.importProject}?filename=${encodeURIComponent(file.name)}`
  return envelope<ProjectInfo>(
    await fetch(url, {
      method: 'POST',
      headers: headers({ 'Content-Type': 'application/octet-stream' }),
      body: file,
    }),
  )
}
