import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type Locator, type Page, chromium } from 'playwright-core'

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = process.env.BASISCOPE_CHROMIUM ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `browser e2e skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set BASISCOPE_CHROMIUM)`
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'screenshots')

/** Saves a full-page screenshot as a test artifact (test-artifacts/screenshots/NAME.png). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** Screenshots of the screen as it is in both themes: NAME-light.png and NAME-dark.png. */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await screenshot(page, `${name}-light`)
  await page.getByTestId('theme-toggle').click()
  await screenshot(page, `${name}-dark`)
  await page.getByTestId('theme-toggle').click()
}

/** Collects console errors and page errors so a test can assert there were none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`))
  return errors
}

/** The part of HTMLCanvasElement used here (this file is typechecked without DOM types). */
interface CanvasLike {
  width: number
  height: number
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
  } | null
}

/**
 * Whether a canvas shows an image rather than one flat color: its pixels have more than
 * a handful of distinct values.
 */
export async function canvasIsDrawn(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const canvas = el as unknown as CanvasLike
      if (!canvas.width || !canvas.height) return false
      const ctx = canvas.getContext('2d')
      if (!ctx) return false
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
      const seen = new Set<number>()
      for (let i = 0; i < data.length && seen.size < 16; i += 4 * 7) {
        seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2])
      }
      return seen.size >= 8
    })
}

/**
 * The share of a canvas's pixels that are black: with one pixel per cell (heatmaps), the
 * share of a near-zero mask's cells that are near zero.
 */
export function blackFraction(canvas: Locator): Promise<number> {
  return canvas.evaluate((el) => {
    const c = el as unknown as CanvasLike
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height)
    let black = 0
    for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 30) black++
    return black / (c.width * c.height)
  })
}

/** Waits until `ready` holds, polling; fails naming what it waited for. */
export async function until(
  ready: () => Promise<boolean>,
  what: string,
  timeout = 10_000,
): Promise<void> {
  const end = Date.now() + timeout
  for (;;) {
    if (await ready()) return
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
