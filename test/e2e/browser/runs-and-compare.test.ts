import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ComparePage } from './pages/compare-page.ts'
import { ProjectPage, TINY_RUN } from './pages/project-page.ts'
import { ProjectsPage } from './pages/projects-page.ts'
import { RunPage } from './pages/run-page.ts'
import { canvasIsDrawn, screenshot } from './support/browser.ts'
import { browserSkipReason, useBrowserSession } from './support/session.ts'

/**
 * A run that fails at run time (the config is valid, the model file is not there). The file
 * is named inside the workspace: web mode refuses paths outside it before a run starts.
 */
const FAILING_RUN = [
  ['model.source', 'file'],
  ['model.file', 'missing/basiscope-e2e-model.safetensors'],
  ['seed', '7'],
] as const

const skipReason = browserSkipReason()

/**
 * The tracker side of the workstation in Debian's Chromium through `npm run web`: the
 * runs table's filter and columns survive a reload, a run is cloned from the table and
 * from its page, the form shows the backend's cross-field checks, and Compare with a
 * failed run still shows everything for the good ones.
 */
describe.skipIf(skipReason !== null)('runs table and compare in the browser', () => {
  let page: Page
  let project: ProjectPage
  const ids = { seed0: 0, seed1: 0, failed: 0 }
  const session = useBrowserSession(async (s) => {
    page = s.page
    const projects = new ProjectsPage(page)
    await projects.open(s.app.url)
    await projects.createAndOpen('Table study')
    project = new ProjectPage(page)
    ids.seed0 = await project.startRun([...TINY_RUN, ['seed', '0']])
    ids.seed1 = await project.startRun([...TINY_RUN, ['seed', '1']])
    ids.failed = await project.startRun(FAILING_RUN)
    await project.waitForRunStatus(ids.failed, /failed/)
    await project.waitForRunStatus(ids.seed0, /completed/)
    await project.waitForRunStatus(ids.seed1, /completed/)
  }, 480_000)

  it('shows the backend’s cross-field checks under the fields they name', async () => {
    await project.openNewRunForm()
    await project.setField('data.split.train', '9600')
    await expect
      .poll(() => project.fieldError('data.split.test').textContent(), { timeout: 10_000 })
      .toMatch(/exceeds the 10000 embedded MNIST digits/)
    await project.setField('data.split.train', '50')
    await project.setField('data.split.test', '50')
    await expect
      .poll(() => project.fieldError('rotation.samples').textContent(), { timeout: 10_000 })
      .toMatch(/train list has only 50/)
    expect(await project.startButton().isEnabled()).toBe(false)
    await screenshot(page, '10-new-run-cross-field')
    await page.keyboard.press('Escape')
    await project.form().waitFor({ state: 'detached' })
  })

  it('keeps the structured filter and a chosen column across a reload', async () => {
    await project.setColumn('config.seed', true)
    await project.columnHeader('config.seed').waitFor()
    await project.setWhere('seed = 1 and layer1.nearZero.after >= 0')
    await expect.poll(() => project.runRows().count()).toBe(1)
    expect(await project.runRows().first().getAttribute('data-run-id')).toBe(String(ids.seed1))

    // A bad expression says what is wrong and filters nothing.
    await project.setWhere('seed >')
    await expect.poll(() => project.whereError().textContent()).toMatch(/expected a value after >/)
    await expect.poll(() => project.runRows().count()).toBe(3)

    await project.setWhere('seed = 1')
    await expect.poll(() => project.runRows().count()).toBe(1)
    await page.reload()
    await project.waitUntilOpen()
    await project.columnHeader('config.seed').waitFor()
    expect(await project.whereInput().inputValue()).toBe('seed = 1')
    await expect.poll(() => project.runRows().count()).toBe(1)
    await screenshot(page, '11-runs-table-filtered')

    await project.setWhere('')
    await expect.poll(() => project.runRows().count()).toBe(3)
  })

  it('fits 1440 px with the actions in view, also grouped by seed', async () => {
    // The default columns (the test before added the seed's).
    await project.setColumn('config.seed', false)
    const plain = await project.tableFit()
    expect(plain.overflow).toBe(0)
    expect(Math.abs(plain.actionsGap)).toBeLessThan(4)
    await project.groupBy('seeds')
    try {
      await expect.poll(() => project.groupRows().count()).toBe(1)
      // The two seeds form one group (mean ± sd); the failed run stays a row of its own.
      expect(await project.groupRows().first().textContent()).toMatch(/2×.*seeds 0, 1/)
      expect(await project.groupRows().first().textContent()).toContain('±')
      const fit = await project.tableFit()
      expect(fit.overflow).toBe(0)
      expect(Math.abs(fit.actionsGap)).toBeLessThan(4)
      await screenshot(page, '11b-runs-grouped-by-seed')
    } finally {
      await project.groupBy('')
    }
  })

  it('clones a run from the table and from its page', async () => {
    await project.cloneRun(ids.seed1)
    expect(await page.getByTestId('clone-of').textContent()).toContain(`#${ids.seed1}`)
    expect(await project.fieldValue('seed')).toBe('1')
    expect(await project.fieldValue('model.hidden')).toBe('32, 32')
    await screenshot(page, '12-clone-form')
    await page.keyboard.press('Escape')
    await project.form().waitFor({ state: 'detached' })

    await project.runRow(ids.seed0).locator('td').nth(2).click()
    const run = new RunPage(page)
    await run.waitForStatus(/completed/)
    expect(await page.title()).toMatch(new RegExp(`^#${ids.seed0} .* — Basiscope$`))
    await run.cloneButton().click()
    await project.form().waitFor()
    expect(await page.getByTestId('clone-of').textContent()).toContain(`#${ids.seed0}`)
    expect(await project.fieldValue('seed')).toBe('0')
    await page.keyboard.press('Escape')
    await project.form().waitFor({ state: 'detached' })

    // Ctrl+N on a run page opens the New run form of its project.
    await page.goBack()
    await run.waitForStatus(/completed/)
    await page.keyboard.press('Control+n')
    await project.form().waitFor()
    await page.keyboard.press('Escape')
  })

  it('compares three runs of which one failed, with every panel for the other two', async () => {
    await project.waitUntilOpen()
    for (const id of [ids.seed0, ids.seed1, ids.failed]) await project.selectRun(id)
    await page.getByTestId('compare-selected').click()
    const compare = new ComparePage(page)
    await compare.waitUntilLoaded()
    expect(await page.title()).toMatch(/^Compare #\d+, #\d+, #\d+ — /)
    expect(await compare.configRows().filter({ hasText: 'model.source' }).count()).toBe(1)
    expect(await compare.metrics().textContent()).toMatch(/layer1\.nearZero\.after/)
    // Basis similarity for the two good runs, and a note on the one without bases.
    await compare.basisRows().first().waitFor()
    expect(await compare.basisRows().count()).toBe(2)
    expect(await compare.basesNote().textContent()).toContain(`#${ids.failed}`)
    // Objective and gradient-norm curves of the two good runs, per layer.
    await expect.poll(() => compare.curveCharts().count()).toBeGreaterThanOrEqual(4)
    // A layer picker with the good runs' layers, and their heatmaps drawn.
    expect(await compare.layerOptions().count()).toBe(3)
    await expect.poll(() => compare.heatmaps().count()).toBe(2)
    await expect.poll(() => canvasIsDrawn(page, '[data-testid="heatmap-canvas"]')).toBe(true)
    expect(await compare.missingHeatmaps().textContent()).toContain(`#${ids.failed}`)
    await screenshot(page, '13-compare-with-failed-run')
  })

  it('asks before Ctrl+. cancels a run, and the started notice ends with the run', async () => {
    await page.goBack()
    await project.waitUntilOpen()
    // The last run's values are the failing one's: a trained model again, with a long budget.
    const id = await project.startRun([
      ['model.source', 'train'],
      ...TINY_RUN,
      ['rotation.budgetSeconds', '120'],
    ])
    const notice = page.getByTestId('run-started-notice')
    await notice.waitFor()
    await project.waitForRunStatus(id, /running/, 60_000)
    await page.keyboard.press('Control+.')
    await page.getByTestId('confirm-dismiss').click()
    expect(await project.runRow(id).getAttribute('data-status')).toBe('running')
    await page.keyboard.press('Control+.')
    await screenshot(page, '14-cancel-asks-first')
    await page.getByTestId('confirm-ok').click()
    await project.waitForRunStatus(id, /cancelled/, 60_000)
    await notice.waitFor({ state: 'detached' })
    expect(session.errors).toEqual([])
  })
})
