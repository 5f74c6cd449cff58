import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ZipFile } from 'yazl'
import { DOWNLOAD_TTL_SECONDS, WEB_ROUTES } from '../api/bridge.ts'
import type { ErrorCode } from '../errors.ts'
import type { Reply } from '../api/contract.ts'
import type { ProjectInfo } from '../api/records.ts'
import { slugify } from '../store/names.ts'
import { TOKEN_MESSAGES, headerToken, tokenVerdict } from './web-auth.ts'

/**
 * Web mode's file transfers, which a browser cannot do over the WebSocket: a project export
 * and a run's export files (one zip) as downloads, and a project file upload for import. They
 * go through the same contract commands (`projects.export`, `runs.export`, `projects.import`)
 * via `handle`, on temporary files outside the workspace that are removed afterwards. Only for this server's own origin, with the
 * token; uploads are size-limited and validated like any import.
 */
export interface FileRoutesOptions {
  handle(raw: unknown): Promise<Reply>
  token: string
  /** Largest accepted upload, bytes. */
  maxUploadBytes: number
  /** Headers every response carries (CSP, nosniff, …). */
  headers(): Record<string, string>
  /** Whether a request's Origin header (if any) is this server's. */
  originAllowed(req: IncomingMessage): boolean
  /** The refusal of a request naming files outside the workspace (web-paths.ts), or null. */
  confine(raw: unknown): Reply | null
}

/** Default upload limit: 1 GiB, larger than any project a run of this app writes. */
export const MAX_UPLOAD_BYTES = 1024 ** 3

/** A prepared download: its temporary folder, and how its bytes are sent. */
interface Download {
  readonly dir: string
  readonly filename: string
  readonly timer: NodeJS.Timeout
  send(res: ServerResponse, headers: Record<string, string>): Promise<void>
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_ARGUMENT: 400,
  INVALID_FILE: 400,
  INVALID_CONFIG: 400,
  NOT_FOUND: 404,
}

function failure(code: ErrorCode, message: string): Reply {
  return { id: null, ok: false, error: { code, message } }
}

/** `attachment` with the name as plain ASCII and as RFC 5987 UTF-8. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}

/** A stream that fails once more than `max` bytes have passed. */
function limit(max: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      if (seen > max) done(new RangeError(`the upload exceeds ${max} bytes`))
      else done(null, chunk)
    },
  })
}

/** Streams files as one zip (stored entries, named by their base names) into a response. */
async function sendZip(
  res: ServerResponse,
  headers: Record<string, string>,
  files: readonly string[],
): Promise<void> {
  const zip = new ZipFile()
  for (const f of files) zip.addFile(f, basename(f), { compress: false })
  const size = await new Promise<number>((done) =>
    zip.end(undefined, ((total: number) => done(total)) as () => void),
  )
  res.writeHead(200, {
    ...headers,
    'Content-Type': 'application/zip',
    ...(size >= 0 ? { 'Content-Length': size } : {}),
  })
  await pipeline(zip.outputStream, res)
}

export function fileRoutes(options: FileRoutesOptions) {
  const downloads = new Map<string, Download>()
  /** Runs one contract command, as a transport does. */
  const command = (name: string, params: unknown): Promise<Reply> =>
    options.handle({ id: 'web-files', command: name, params })

  function sendJson(res: ServerResponse, reply: Reply, status?: number): void {
    const code = reply.ok ? 200 : (status ?? HTTP_STATUS[reply.error.code] ?? 500)
    const body = JSON.stringify(reply)
    res.writeHead(code, {
      ...options.headers(),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    })
    res.end(body)
  }

  function forget(ticket: string): void {
    const d = downloads.get(ticket)
    if (!d) return
    downloads.delete(ticket)
    clearTimeout(d.timer)
    rmSync(d.dir, { recursive: true, force: true })
  }

  /**
   * Opens the project a route's `?project=` names, under the same path rule as the API (the
   * route's own temporary files are not the page's to name, so only this is checked).
   */
  async function openNamed(url: URL): Promise<Reply> {
    const project = url.searchParams.get('project')
    if (!project) return failure('BAD_REQUEST', 'project: expected ?project=<id or path>')
    const open = { id: 'web-files', command: 'projects.open', params: { path: project } }
    const refused = options.confine(open)
    if (refused && !refused.ok) {
      // The page named it as the route's `project`, not as the command's `path`.
      const message = refused.error.message.replace('projects.open: path:', 'project:')
      return { ...refused, error: { ...refused.error, message } }
    }
    return options.handle(open)
  }

  async function exportProject(req: IncomingMessage, res: ServerResponse, url: URL) {
    const project = url.searchParams.get('project')!
    const opened = await openNamed(url)
    if (!opened.ok) return sendJson(res, opened)
    const filename = `${slugify((opened.value as ProjectInfo).name)}.basiscope`
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-download-'))
    const file = join(dir, filename)
    const exported = await command('projects.export', { path: project, destination: file })
    if (!exported.ok) {
      rmSync(dir, { recursive: true, force: true })
      return sendJson(res, exported)
    }
    const bytes = statSync(file).size
    offer(res, dir, filename, bytes, async (out, headers) => {
      out.writeHead(200, {
        ...headers,
        'Content-Type': 'application/octet-stream',
        'Content-Length': bytes,
      })
      await pipeline(createReadStream(file), out)
    })
  }

  /** Keeps a prepared download under a one-time ticket and answers its link. */
  function offer(
    res: ServerResponse,
    dir: string,
    filename: string,
    bytes: number,
    send: Download['send'],
  ): void {
    const ticket = randomBytes(32).toString('base64url')
    const timer = setTimeout(() => forget(ticket), DOWNLOAD_TTL_SECONDS * 1000).unref()
    downloads.set(ticket, { dir, filename, timer, send })
    sendJson(res, {
      id: null,
      ok: true,
      value: { download: `${WEB_ROUTES.download}${ticket}`, filename, bytes },
    })
  }

  /**
   * A run's export files (`runs.export` into a temporary folder) as one zip, streamed on
   * download. Entries are stored, not deflated: float32 tensors barely compress, and stored
   * entries give the zip a known length up front.
   */
  async function exportRun(req: IncomingMessage, res: ServerResponse, url: URL) {
    const opened = await openNamed(url)
    if (!opened.ok) return sendJson(res, opened)
    const project = url.searchParams.get('project')!
    const runId = Number(url.searchParams.get('runId') ?? Number.NaN)
    const format = url.searchParams.get('format') ?? 'safetensors'
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-download-'))
    const exported = await command('runs.export', { project, runId, directory: dir, format })
    if (!exported.ok) {
      rmSync(dir, { recursive: true, force: true })
      return sendJson(res, exported)
    }
    const files = (exported.value as { files: string[] }).files
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0)
    const filename = `${slugify((opened.value as ProjectInfo).name)}-run-${runId}.zip`
    offer(res, dir, filename, bytes, (out, headers) => sendZip(out, headers, files))
  }

  async function download(res: ServerResponse, ticket: string) {
    const d = downloads.get(ticket)
    if (!d) return sendJson(res, failure('NOT_FOUND', 'this download link was used or has expired'))
    // One use: the ticket is gone before the first byte leaves.
    downloads.delete(ticket)
    clearTimeout(d.timer)
    try {
      await d.send(res, {
        ...options.headers(),
        'Content-Disposition': attachment(d.filename),
        'Cache-Control': 'no-store',
      })
    } finally {
      rmSync(d.dir, { recursive: true, force: true })
    }
  }

  async function importProject(req: IncomingMessage, res: ServerResponse, url: URL) {
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase()
    if (type !== 'application/octet-stream') {
      return sendJson(
        res,
        failure('BAD_REQUEST', 'expected Content-Type: application/octet-stream'),
        415,
      )
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN)
    if (declared > options.maxUploadBytes) {
      res.setHeader('Connection', 'close')
      return sendJson(
        res,
        failure('BAD_REQUEST', `the upload exceeds ${options.maxUploadBytes} bytes`),
        413,
      )
    }
    const given = url.searchParams.get('filename') ?? 'upload.basiscope'
    const filename = `${slugify(given.replace(/\.basiscope$/i, ''))}.basiscope`
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-upload-'))
    const file = join(dir, filename)
    try {
      try {
        await pipeline(req, limit(options.maxUploadBytes), createWriteStream(file))
      } catch (e) {
        res.setHeader('Connection', 'close')
        return sendJson(res, failure('BAD_REQUEST', (e as Error).message), 413)
      }
      const reply = await command('projects.import', { source: file })
      // Errors name the uploaded file as the user knows it, not the temporary copy.
      if (!reply.ok) reply.error.message = reply.error.message.split(file).join(given)
      sendJson(res, reply)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const ROUTES = {
    [WEB_ROUTES.exportProject]: exportProject,
    [WEB_ROUTES.exportRun]: exportRun,
    [WEB_ROUTES.importProject]: importProject,
  }

  return {
    /** Whether this module answers the path. */
    owns(pathname: string): boolean {
      return pathname === WEB_ROUTES.status || pathname.startsWith('/files/')
    },

    async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
      const path = url.pathname
      const verdict = tokenVerdict(headerToken(req), options.token)
      if (path === WEB_ROUTES.status && req.method === 'GET') {
        return sendJson(res, {
          id: null,
          ok: true,
          value: { token: verdict, message: TOKEN_MESSAGES[verdict] },
        })
      }
      if (path.startsWith(WEB_ROUTES.download) && req.method === 'GET') {
        return download(res, path.slice(WEB_ROUTES.download.length))
      }
      const route = ROUTES[path as keyof typeof ROUTES] ?? null
      if (!route) return sendJson(res, failure('NOT_FOUND', `no route ${path}`))
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST')
        return sendJson(res, failure('BAD_REQUEST', `${path} takes POST`), 405)
      }
      if (!options.originAllowed(req) || req.headers['sec-fetch-site'] === 'cross-site') {
        return sendJson(
          res,
          failure('UNAUTHORIZED', 'refused: the request comes from another origin'),
          403,
        )
      }
      if (verdict !== 'valid')
        return sendJson(res, failure('UNAUTHORIZED', TOKEN_MESSAGES[verdict]), 401)
      return route(req, res, url)
    },

    /** Removes every pending download. */
    close(): void {
      for (const ticket of [...downloads.keys()]) forget(ticket)
    },
  }
}
