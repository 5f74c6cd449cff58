import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { browserUnavailable, collectPageErrors, launchChromium } from './browser.ts'
import { type WebApp, startWebApp } from './web-app.ts'

/** Why the browser tests of this machine are skipped, or null (said once per file). */
export function browserSkipReason(): string | null {
  const reason = browserUnavailable()
  if (reason) console.warn(reason)
  return reason
}

/** What a browser test file works with; filled in by its beforeAll. */
export interface BrowserSession {
  app: WebApp
  browser: Browser
  page: Page
  /** Console and page errors so far: a test ends by expecting none. */
  errors: string[]
}

/**
 * `npm run web` on a fresh workspace and one Chromium page at 1440×900 for the tests of a
 * describe block, stopped after them. `ready` runs once both are up (a project, some runs).
 */
export function useBrowserSession(
  ready?: (s: BrowserSession) => Promise<void>,
  timeout = 240_000,
): BrowserSession {
  const session = {} as BrowserSession
  beforeAll(async () => {
    session.app = await startWebApp()
    session.browser = await launchChromium()
    session.page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } })
    session.errors = collectPageErrors(session.page)
    await ready?.(session)
  }, timeout)
  afterAll(async () => {
    await session.browser?.close()
    await session.app?.stop()
  })
  return session
}
