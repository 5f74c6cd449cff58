import { describe, expect, it } from 'vitest'
import { ComparePage } from './pages/compare-page.ts'
import { ProjectPage, SMALL_RUN } from './pages/project-page.ts'
import { ProjectsPage } from './pages/projects-page.ts'
import { RunPage } from './pages/run-page.ts'
import { canvasIsDrawn, screenshot } from './support/browser.ts'
import { browserSkipReason, useBrowserSession } from './support/session.ts'

const skipReason = browserSkipReason()

/**
 * The workstation as a new user meets it (issue: "creates a project, runs the original
 * method and the fast one, and compares them side by side"), in Debian's Chromium through
 * `npm run web`. Screenshots of every screen go to test-artifacts/screenshots.
 */
describe.skipIf(skipReason !== null)('workstation in the browser (npm run web)', () => {
  const session = useBrowserSession()

  it('creates a project, runs the original method and the fast one, and compares them', async () => {
    const { app, page, errors } = session
    const projects = new ProjectsPage(page)
    await projects.open(app.url)
    await screenshot(page, '01-project-browser-empty')

    await projects.createAndOpen('Digits study')
    const project = new ProjectPage(page)
    await screenshot(page, '02-project-empty')

    // A bad value shows its message under the field, and nothing starts.
    await project.openNewRunForm()
    await project.setField('model.epochs', '-1')
    await expect
      .poll(() => project.fieldError('model.epochs').textContent(), { timeout: 10_000 })
      .toMatch(/\S/)
    await screenshot(page, '03-new-run-invalid')
    if (await project.startButton().isEnabled()) await project.startButton().click()
    await page.keyboard.press('Escape')
    expect(await project.runRows().count()).toBe(0)

    // The original method (seed-gd, lr 1e-4), small: live progress in the table.
    const original = await project.startRun(SMALL_RUN, /^Original method/)
    await project
      .runRow(original)
      .getByTestId('run-row-status')
      .filter({ hasText: /queued|running|completed/ })
      .waitFor()
    await screenshot(page, '04-project-run-started')

    // Its run view shows progress with an ETA, then the finished run's figures.
    await project.runRow(original).locator('td').nth(2).click()
    const run = new RunPage(page)
    await run.status().waitFor()
    if (!/completed/.test((await run.status().textContent()) ?? '')) {
      await run
        .progress()
        .waitFor({ timeout: 30_000 })
        .catch(() => {})
      await screenshot(page, '05-run-live')
    }
    await run.waitForStatus(/completed/)
    await page.getByTestId('function-preservation').waitFor()
    await screenshot(page, '06-run-overview')
    await run.showSection(/jacobian/i)
    await run.heatmaps().first().waitFor()
    await expect.poll(() => run.heatmaps().count()).toBeGreaterThanOrEqual(2)
    await expect.poll(() => canvasIsDrawn(page, '[data-testid="heatmap-canvas"]')).toBe(true)
    await screenshot(page, '07-run-jacobians')

    // The fast optimizer, started from the project view.
    await page.goBack()
    await project.waitUntilOpen()
    const fast = await project.startRun(SMALL_RUN, /^Fast/)
    await project
      .runRow(fast)
      .getByTestId('run-row-status')
      .filter({ hasText: /completed/ })
      .waitFor({ timeout: 240_000 })

    // Compare the two side by side.
    await project.selectRun(original)
    await project.selectRun(fast)
    await page.getByTestId('compare-selected').click()
    const compare = new ComparePage(page)
    await compare.waitUntilLoaded()
    expect(
      await compare
        .configRows()
        .filter({ hasText: /optimizer/ })
        .count(),
    ).toBeGreaterThan(0)
    expect(await page.getByTestId('compare-config').textContent()).toMatch(/seed-gd/)
    expect(await page.getByTestId('compare-config').textContent()).toMatch(/riemannian-adam/)
    await expect.poll(() => compare.heatmaps().count()).toBeGreaterThanOrEqual(2)
    await expect.poll(() => canvasIsDrawn(page, '[data-testid="heatmap-canvas"]')).toBe(true)
    await compare.basisSimilarity().waitFor()
    await screenshot(page, '08-compare')

    // Dark theme, for the screenshot set.
    await page.getByTestId('theme-toggle').click()
    await screenshot(page, '09-compare-dark')

    expect(errors).toEqual([])
  }, 600_000)
})
