import { readFile, realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  CONTENT_TYPES,
  STATUS_TEXT,
  contentTypeOf,
  resolveStaticFile,
} from '../core/host/static-files.ts'
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from './security.ts'

/**
 * The app:// protocol: serves the built renderer (out/renderer) and nothing else. Kept free of
 * Electron imports so the path rules are unit-tested; main.ts passes `handler` to
 * `protocol.handle`.
 */

export { CONTENT_TYPES, contentTypeOf }

export type Resolved = { file: string } | { status: 400 | 403 | 404 }

/**
 * Maps an app:// URL onto a file inside `root` (already a real path), refusing anything that
 * could leave it: another host, malformed escapes, NUL bytes, `..` segments (raw or
 * percent-encoded, with `/` or `\`), and symlinks pointing outside.
 */
export async function resolveAppPath(root: string, url: string): Promise<Resolved> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { status: 400 }
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { status: 404 }
  // The WHATWG parser already folds literal `..`; resolveStaticFile checks the raw
  // (still encoded) path, catching encoded and backslash forms.
  const found = await resolveStaticFile(root, parsed.pathname)
  return 'status' in found ? found : { file: found.file }
}

function textResponse(status: number, extra: Record<string, string> = {}): Response {
  return new Response(`${status} ${STATUS_TEXT[status] ?? ''}\n`, {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra },
  })
}

/** A `protocol.handle` handler serving `rendererDir`, with the CSP on every response. */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  let root: Promise<string | null> | null = null
  const rootDir = () =>
    (root ??= realpath(resolve(rendererDir)).catch(() => {
      root = null
      return null
    }))
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, { Allow: 'GET, HEAD' })
    }
    const dir = await rootDir()
    if (dir === null) return textResponse(404)
    const found = await resolveAppPath(dir, request.url)
    if ('status' in found) return textResponse(found.status)
    let body: Buffer
    try {
      body = await readFile(found.file)
    } catch {
      return textResponse(500)
    }
    const type = contentTypeOf(found.file)
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        ...SECURITY_HEADERS,
        'Content-Type': type,
        'Content-Length': String(body.length),
        // The entry page must never be stale after an update; hashed assets may be cached.
        ...(type.startsWith('text/html') ? { 'Cache-Control': 'no-store' } : {}),
      },
    })
  }
}
