import type { BrowserWindowConstructorOptions, CustomScheme } from 'electron'

/**
 * The desktop shell's whole security policy as plain data and pure functions (DESIGN.md §5),
 * so a unit test pins it without the Electron binary. main.ts only wires these into
 * Electron's hooks.
 */

/** The renderer is served from this privileged scheme, never from file:// or the network. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'basiscope'
/** `scheme://host`; WHATWG URL reports `null` as the origin of custom schemes, so we compare this. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

/**
 * `standard` gives the scheme real origins and relative-URL resolution, `secure` makes it a
 * secure context, `supportFetchAPI`/`corsEnabled` let the page load its ES modules from it,
 * `codeCache` keeps V8's compile cache. No service workers, no bypassing CSP.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    corsEnabled: true,
    codeCache: true,
    allowServiceWorkers: false,
    bypassCSP: false,
    stream: false,
  },
}

/**
 * Sent on every app:// response. The page is one self-contained bundle: its own scripts and
 * styles (Vue sets inline style attributes, hence 'unsafe-inline' for styles only), chart
 * images as data:/blob: URLs, and no network — the API travels over IPC, not fetch.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers on every app:// response besides Content-Type. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/** The one window's options: every renderer hardening Electron offers, set explicitly. */
export function windowOptions(
  preloadPath: string,
  { devTools = false }: { devTools?: boolean } = {},
): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'Basiscope',
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools,
    },
  }
}

/**
 * `scheme://host` of an app or web URL, or null for anything else (file:, data:, javascript:,
 * about:, malformed). Custom schemes have an opaque WHATWG origin, hence the hand-built form.
 */
export function originOf(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  const scheme = parsed.protocol
  if (![`${APP_SCHEME}:`, 'http:', 'https:'].includes(scheme) || parsed.host === '') return null
  if (parsed.username || parsed.password) return null
  return `${scheme}//${parsed.host}`.toLowerCase()
}

/**
 * Origins the window may show and IPC may come from: the app's own, plus the electron-vite dev
 * server while developing (`ELECTRON_RENDERER_URL`, never honoured in a packaged app).
 */
export function trustedOrigins(devServerUrl: string | null | undefined): string[] {
  const dev = devServerUrl ? originOf(devServerUrl) : null
  return dev && dev !== APP_ORIGIN ? [APP_ORIGIN, dev] : [APP_ORIGIN]
}

/** will-navigate / will-redirect: only within the app's own origin(s). */
export function isAllowedNavigation(
  url: string,
  origins: readonly string[] = [APP_ORIGIN],
): boolean {
  const origin = originOf(url)
  return origin !== null && origins.includes(origin)
}

/** Links the page tries to open in a new window go to the system browser, and only if https. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' && parsed.host !== '' && !parsed.username
  } catch {
    return false
  }
}

/**
 * No remote content: requests the session may make. The app's own scheme and in-page data;
 * devtools' own pages while developing; the dev server (http and its HMR socket) in dev.
 */
export function isAllowedRequest(url: string, devServerUrl?: string | null): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if ([`${APP_SCHEME}:`, 'data:', 'blob:', 'devtools:'].includes(parsed.protocol)) {
    return parsed.protocol !== `${APP_SCHEME}:` || parsed.host === APP_HOST
  }
  const dev = devServerUrl ? originOf(devServerUrl) : null
  if (dev === null || !dev.startsWith('http://')) return false
  return ['http:', 'ws:'].includes(parsed.protocol) && parsed.host === dev.slice('http://'.length)
}
