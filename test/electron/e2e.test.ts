import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { electronBinary, ensureBuilt, ensureElectronSqlite } from '../../scripts/start.ts'
import { repoRoot } from './build-bundle.ts'
import { packagedBinaries } from './packaged.ts'

/**
 * The desktop app end to end: the real Electron binary on the built app, driven by
 * Playwright. Needs the binary, which cannot be downloaded on every machine (offline CI);
 * there the suite is skipped with the reason, and the web-mode e2e covers the same page.
 */
const binary = electronBinary()
if (!binary.ok) {
  console.warn(
    `Electron e2e skipped: the Electron binary is not installed (${binary.reason}); ` +
      'run `npm start` once on a machine with internet to fetch it. The same renderer is ' +
      'covered in web mode by test/e2e/browser/workstation.test.ts.',
  )
}

describe.skipIf(!binary.ok)('desktop app (Electron, end to end)', () => {
  let app: ElectronApplication
  let page: Page
  let userData: string

  beforeAll(async () => {
    const log = (line: string) => process.stderr.write(line + '\n')
    ensureBuilt(log)
    ensureElectronSqlite(log)
    userData = mkdtempSync(join(tmpdir(), 'basiscope-electron-e2e-'))
    const env = { ...process.env, BASISCOPE_USER_DATA: userData } as Record<string, string>
    delete env.ELECTRON_RUN_AS_NODE
    delete env.ELECTRON_RENDERER_URL
    delete env.BASISCOPE_WORKSPACE
    app = await _electron.launch({
      executablePath: binary.ok ? binary.path : undefined,
      args: [repoRoot],
      env,
      timeout: 60_000,
    })
    page = await app.firstWindow()
    await page.waitForSelector('[data-testid="new-project"]', { timeout: 60_000 })
  })

  afterAll(async () => {
    await app?.close()
    if (userData) rmSync(userData, { recursive: true, force: true })
  })

  it('loads the page from app:// with the bridge and without Node', async () => {
    expect(page.url()).toMatch(/^app:\/\/basiscope\//)
    const probe = await page.evaluate(() => {
      // Runs in the page; this file is typed for Node, hence globalThis.
      const w = globalThis as unknown as Record<string, unknown>
      const bridge = w.basiscope as Record<string, unknown>
      return {
        keys: Object.keys(bridge).sort(),
        types: Object.values(bridge).map((v) => typeof v),
        require: typeof w.require,
        process: typeof w.process,
        module: typeof w.module,
      }
    })
    expect(probe.keys).toEqual(['call', 'onEvent', 'onMenu', 'pickPath'])
    expect(probe.types).toEqual(['function', 'function', 'function', 'function'])
    expect(probe.require).toBe('undefined')
    expect(probe.process).toBe('undefined')
    expect(probe.module).toBe('undefined')
  })

  it('answers the API through the bridge', async () => {
    const reply = await page.evaluate(() =>
      (
        globalThis as unknown as { basiscope: { call(r: unknown): Promise<unknown> } }
      ).basiscope.call({
        id: 1,
        command: 'app.info',
        params: {},
      }),
    )
    expect(reply).toMatchObject({
      id: 1,
      ok: true,
      value: { workspace: join(userData, 'workspace') },
    })
  })

  it('creates a project through the UI', async () => {
    await page.click('[data-testid="new-project"]')
    const dialog = page.getByRole('dialog')
    await dialog.locator('input').first().fill('From Electron')
    await page.click('[data-testid="create-project"]')
    await expect
      .poll(() => page.locator('[data-testid="project-card"]').allTextContents(), {
        timeout: 30_000,
      })
      .toEqual([expect.stringContaining('From Electron')])
  })

  it('refuses to navigate away from the app', async () => {
    await page.evaluate(() => {
      ;(globalThis as unknown as { location: { href: string } }).location.href =
        'https://example.org/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toMatch(/^app:\/\/basiscope\//)
  })
})

/**
 * The hardened packaged app (`npm run dist:e2e`: the release fuses, plus the inspector fuse
 * Playwright needs), launched as a user would start it: the app comes from its asar only.
 * Skipped, with the reason, when no such build is in dist/e2e.
 */
const packaged = packagedBinaries(join(repoRoot, 'dist/e2e'))[0]
if (!packaged) {
  console.warn(
    'Packaged Electron e2e skipped: no `npm run dist:e2e` build in dist/e2e (it needs the ' +
      'Electron binary, which this machine cannot download).',
  )
}

describe.skipIf(!packaged)('packaged desktop app (release fuses, end to end)', () => {
  let app: ElectronApplication
  let userData: string

  beforeAll(async () => {
    userData = mkdtempSync(join(tmpdir(), 'basiscope-packaged-e2e-'))
    const env = { ...process.env, BASISCOPE_USER_DATA: userData } as Record<string, string>
    delete env.ELECTRON_RUN_AS_NODE
    app = await _electron.launch({ executablePath: packaged, env, timeout: 60_000 })
  })

  afterAll(async () => {
    await app?.close()
    if (userData) rmSync(userData, { recursive: true, force: true })
  })

  it('starts from its asar and shows the app over app://', async () => {
    const page = await app.firstWindow()
    await page.waitForSelector('[data-testid="new-project"]', { timeout: 60_000 })
    expect(page.url()).toMatch(/^app:\/\/basiscope\//)
    expect(await app.evaluate(({ app: electronApp }) => electronApp.isPackaged)).toBe(true)
  })
})
