import { realpath, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'

/**
 * Serving the built renderer from a folder, shared by the web host (http://127.0.0.1) and
 * the Electron shell (app://): which file a request path names, refusing anything that
 * could leave the folder, and its MIME type.
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

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  421: 'Misdirected Request',
  500: 'Internal Server Error',
}

/** The MIME type of a file by extension; unknown types are served as opaque bytes. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

export type ResolvedFile = { file: string; size: number } | { status: 400 | 403 | 404 }

/**
 * Maps a request path (still percent-encoded) onto a file inside `root` (a real path),
 * refusing anything that could leave it: malformed escapes, NUL bytes, `..` segments (raw
 * or percent-encoded, with `/` or `\`), and symlinks pointing outside. `/dir/` means
 * `/dir/index.html`.
 */
export async function resolveStaticFile(root: string, pathname: string): Promise<ResolvedFile> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
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
    const info = await stat(file)
    return info.isFile() ? { file, size: info.size } : { status: 404 }
  } catch {
    return { status: 404 }
  }
}
