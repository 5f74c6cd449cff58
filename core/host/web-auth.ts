import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { TOKEN_HEADER } from '../api/bridge.ts'

/**
 * Who may use the web host's API. The per-launch token is the only credential: the
 * WebSocket carries it in its URL (a browser cannot set headers on it), HTTP requests in the
 * `X-Basiscope-Token` header. It is never put in a cookie: cookies are not isolated by port,
 * so every other server on 127.0.0.1 that the browser visits would receive it, and a
 * cookie-authenticated socket could be opened by any page of the same site. A tab without
 * the token (a new tab on the same address) is told by `/api/status` that it needs the
 * address `npm run web` printed; the tab keeps the token in its sessionStorage.
 */

/** Compares two secrets in constant time (both are hashed first, so lengths never leak). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

export type TokenVerdict = 'missing' | 'valid' | 'invalid'

/** Whether `given` (absent, or a string) is the token. */
export function tokenVerdict(given: string | null | undefined, token: string): TokenVerdict {
  if (given === null || given === undefined || given === '') return 'missing'
  return secretsEqual(given, token) ? 'valid' : 'invalid'
}

/** The token an HTTP request carries in its header. */
export function headerToken(req: IncomingMessage): string | null {
  const value = req.headers[TOKEN_HEADER]
  return typeof value === 'string' ? value : null
}

/** What a tab is told about its token by `/api/status`. */
export const TOKEN_MESSAGES: Readonly<Record<TokenVerdict, string>> = {
  valid: 'connected',
  missing:
    'This tab has no access token. Open the address `npm run web` printed in its terminal (it ends in ?token=…).',
  invalid:
    'This tab’s access token is not the current one (the server was restarted?). Open the address `npm run web` printed in its terminal.',
}
