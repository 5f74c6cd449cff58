import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from './security.ts'

/**
 * The app:// protocol: serves the built renderer (out/renderer) and nothing else. Kept free of
 * Electron imports so the path rules are unit-tested; main.ts passes `handler` to
 * `protocol.handle`.
 */

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

/** The MIME type of a file by extension; unknown types are served as opaque bytes. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

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
  // The WHATWG parser already folds literal `..`; the raw string catches encoded and
  // backslash forms before they are decoded into something else.
  let decoded: string
  try {
    decoded = decodeURIComponent(parsed.pathname)
  } catch {
    return { status: 400 }
  }
  if (!decoded.startsWith('/') || decoded.includes('\0')) return { status: 400 }
  const segments = decoded.split(/[/\\]/)
  if (segments.some((s) => s === '..')) return { status: 403 }
  if (decoded.endsWith('/')) segments.push('index.html')
  const candidate = resolve(root, ...segments.filter((s) => s !== '' && s !== '.'))
  if (!candidate.startsWith(root + sep)) return { status: 403 }
  try {
    const file = await realpath(candidate)
    if (!file.startsWith(root + sep)) return { status: 403 }
    return (await stat(file)).isFile() ? { file } : { status: 404 }
  } catch {
    return { status: 404 }
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
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
