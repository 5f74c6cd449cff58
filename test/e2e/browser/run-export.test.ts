import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import yauzl from 'yauzl'
import { ProjectPage, TINY_RUN } from './pages/project-page.ts'
import { ProjectsPage } from './pages/projects-page.ts'
import { RunPage } from './pages/run-page.ts'
import { SCREENSHOT_DIR, screenshot } from './support/browser.ts'
import { browserSkipReason, useBrowserSession } from './support/session.ts'

const skipReason = browserSkipReason()

/** The names of a zip's entries. */
function entryNames(file: string): Promise<string[]> {
  return new Promise((done, fail) => {
    yauzl.fromBuffer(readFileSync(file), { lazyEntries: true }, (e, zip) => {
      if (e) return fail(e)
      const names: string[] = []
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName)
        zip.readEntry()
      })
      zip.on('end', () => done(names))
      zip.on('error', fail)
      zip.readEntry()
    })
  })
}

/**
 * A run's files in web mode: the page names no server-side folder (the server would refuse
 * one outside the workspace); "All files" downloads them as one zip through the browser.
 */
describe.skipIf(skipReason !== null)('run export in the browser', () => {
  let page: Page
  const session = useBrowserSession(async (s) => {
    page = s.page
    const projects = new ProjectsPage(page)
    await projects.open(s.app.url)
    await projects.createAndOpen('Export study')
    const project = new ProjectPage(page)
    const runId = await project.startRun(TINY_RUN)
    await project.waitForRunStatus(runId, /completed/)
    await project.runRow(runId).locator('td').nth(2).click()
    await new RunPage(page).waitForStatus(/completed/)
  }, 480_000)

  it('downloads every export file of the run as one zip', async () => {
    // The menu in both themes (the theme toggle is outside it: it closes, and opens again).
    for (const theme of ['light', 'dark']) {
      if (theme === 'dark') await page.getByTestId('theme-toggle').click()
      await page.getByTestId('run-export').click()
      await page.getByTestId('export-file-model').waitFor() // the backend's list of files
      await screenshot(page, `run-export-menu-${theme}`)
      await page.getByTestId('run-export-menu').screenshot({
        path: join(SCREENSHOT_DIR, `run-export-menu-${theme}-panel.png`),
      })
      if (theme === 'dark') {
        await page.getByTestId('theme-toggle').click()
        await page.getByTestId('run-export').click()
      }
    }
    const download = page.waitForEvent('download')
    await page.getByTestId('export-all').click()
    const saved = join(mkdtempSync(join(tmpdir(), 'trust-web-e2e-')), 'run.zip')
    const file = await download
    expect(file.suggestedFilename()).toMatch(/^export-study-run-\d+\.zip$/)
    await file.saveAs(saved)
    expect((await entryNames(saved)).sort()).toEqual([
      'mean-abs-jacobians.safetensors',
      'model.safetensors',
      'rotated-weights.safetensors',
      'rotations.safetensors',
      'run.json',
    ])
    await page
      .getByTestId('notice')
      .filter({ hasText: /Downloading/ })
      .first()
      .waitFor()
    expect(session.errors).toEqual([])
  })
})
