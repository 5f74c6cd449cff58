import { describe, expect, it } from 'vitest'
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME_PRIVILEGES,
  CONTENT_SECURITY_POLICY,
  SECURITY_HEADERS,
  isAllowedNavigation,
  isAllowedRequest,
  isExternalLinkAllowed,
  originOf,
  trustedOrigins,
  windowOptions,
} from '../../electron/security.ts'

describe('the window (DESIGN.md §5)', () => {
  it('isolates and sandboxes the page, with only the preload as a bridge', () => {
    const options = windowOptions('/app/out/preload/index.cjs')
    expect(options.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
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
      devTools: false,
    })
    expect(options.show).toBe(false)
    expect(windowOptions('/p', { devTools: true }).webPreferences?.devTools).toBe(true)
  })

  it('serves the app from a standard, secure scheme that cannot bypass the CSP', () => {
    expect(APP_ORIGIN).toBe('app://basiscope')
    expect(APP_ENTRY_URL).toBe('app://basiscope/index.html')
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      scheme: 'app',
      privileges: { standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false },
    })
  })
})

describe('the content security policy', () => {
  it('is exactly the strict policy', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "frame-ancestors 'none'",
    )
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*|http/)
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff')
  })
})

describe('navigation', () => {
  it('stays within the app origin', () => {
    expect(isAllowedNavigation('app://basiscope/index.html')).toBe(true)
    expect(isAllowedNavigation('app://basiscope/index.html#/projects/x')).toBe(true)
    expect(isAllowedNavigation('APP://BASISCOPE/index.html')).toBe(true)
  })

  it.each([
    'http://evil.example/',
    'https://evil.example/',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'javascript:alert(1)',
    'about:blank',
    'app://other/index.html',
    'app://user@basiscope/index.html',
    'blob:app://basiscope/1234',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(false)
  })

  it('trusts the dev server only when one is given', () => {
    expect(trustedOrigins(undefined)).toEqual([APP_ORIGIN])
    const dev = trustedOrigins('http://localhost:5173/')
    expect(dev).toEqual([APP_ORIGIN, 'http://localhost:5173'])
    expect(isAllowedNavigation('http://localhost:5173/#/runs', dev)).toBe(true)
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false)
  })

  it('opens only https links, in the system browser', () => {
    expect(isExternalLinkAllowed('https://example.org/paper.pdf')).toBe(true)
    for (const url of [
      'http://example.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.org/',
      'nonsense',
    ]) {
      expect(isExternalLinkAllowed(url), url).toBe(false)
    }
  })

  it('loads no remote content', () => {
    expect(isAllowedRequest('app://basiscope/assets/index.js')).toBe(true)
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true)
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html')).toBe(true)
    for (const url of [
      'https://cdn.example/lib.js',
      'http://127.0.0.1:8080/',
      'ws://127.0.0.1:8080/api',
      'file:///etc/passwd',
      'app://elsewhere/x',
    ]) {
      expect(isAllowedRequest(url), url).toBe(false)
    }
    // In development, the dev server and its HMR socket, nothing else.
    expect(isAllowedRequest('http://localhost:5173/src/main.ts', 'http://localhost:5173')).toBe(
      true,
    )
    expect(isAllowedRequest('ws://localhost:5173/', 'http://localhost:5173')).toBe(true)
    expect(isAllowedRequest('https://cdn.example/x.js', 'http://localhost:5173')).toBe(false)
  })

  it('reads origins of app and web URLs only', () => {
    expect(originOf('app://basiscope/a/b')).toBe(APP_ORIGIN)
    expect(originOf('https://Example.org:8443/x')).toBe('https://example.org:8443')
    expect(originOf('file:///x')).toBeNull()
    expect(originOf('about:blank')).toBeNull()
  })
})
