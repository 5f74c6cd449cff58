import { TOKEN_HEADER, WEB_ROUTES } from '../../../core/api/bridge.ts'
import type { ExportFormat } from '../../../core/api/commands/runs.ts'
import type { Reply } from '../../../core/api/contract.ts'
import type { ProjectInfo } from '../../../core/api/records.ts'
import { ApiError } from './client.ts'
import { webToken } from './transport.ts'

/**
 * Web mode's HTTP routes beside the API socket (core/api/bridge.ts `WEB_ROUTES`): whether
 * this tab's token is the server's, project files down and up and a run's files down (one
 * zip), which a page cannot move over the socket. Same envelopes and errors as the API; Electron has native dialogs instead.
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

/** An export behind a one-time download link (it works once, for a few minutes). */
export interface DownloadLink {
  readonly download: string
  readonly filename: string
  readonly bytes: number
}

async function downloadLink(url: string): Promise<DownloadLink> {
  return envelope<DownloadLink>(await fetch(url, { method: 'POST', headers: headers() }))
}

export function exportProjectLink(project: string): Promise<DownloadLink> {
  return downloadLink(`${WEB_ROUTES.exportProject}?project=${encodeURIComponent(project)}`)
}

/** Every export file of a run (`runs.export`), as one zip. */
export function exportRunLink(
  project: string,
  runId: number,
  format: ExportFormat,
): Promise<DownloadLink> {
  const query = new URLSearchParams({ project, runId: String(runId), format })
  return downloadLink(`${WEB_ROUTES.exportRun}?${query}`)
}

/** "name.zip (2.0 MB)": what a started download is called in a notice. */
export function linkLabel(link: DownloadLink): string {
  return `${link.filename} (${(link.bytes / 1024 ** 2).toFixed(1)} MB)`
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
