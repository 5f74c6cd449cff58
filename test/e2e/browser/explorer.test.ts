import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { InputJacobians } from '../../../core/api/commands/inputs.ts'
import { ComparePage } from './pages/compare-page.ts'
import { ExplorerPage } from './pages/explorer-page.ts'
import { ProjectPage, SMALL_RUN } from './pages/project-page.ts'
import { ProjectsPage } from './pages/projects-page.ts'
import { RunPage } from './pages/run-page.ts'
import { callApi } from './support/api.ts'
import { blackFraction, canvasIsDrawn, screenshot } from './support/browser.ts'
import { browserSkipReason, useBrowserSession } from './support/session.ts'

const skipReason = browserSkipReason()

/**
 * The input explorer as a user meets it (issue 12: "pick a digit and see the sparsity
 * appear in the learned basis"), in Debian's Chromium through `npm run web`: both maps of
 * a digit drawn, their near-zero masks matching the metrics the backend computes for that
 * digit, the difference views, the most-changed ranking, and the difference of two runs in
 * Compare.
 */
describe.skipIf(skipReason !== null)('the input explorer in the browser', () => {
  let page: Page
  let project: ProjectPage
  let projectId = ''
  const ids = { a: 0, b: 0 }
  const session = useBrowserSession(async (s) => {
    page = s.page
    const projects = new ProjectsPage(page)
    await projects.open(s.app.url)
    await projects.createAndOpen('Explorer study')
    project = new ProjectPage(page)
    ids.a = await project.startRun([...SMALL_RUN, ['seed', '0']])
    ids.b = await project.startRun([...SMALL_RUN, ['seed', '1']])
    await project.waitForRunStatus(ids.a, /completed/)
    await project.waitForRunStatus(ids.b, /completed/)
    projectId = new URLSearchParams(page.url().split('?')[1]).get('project') ?? ''
  }, 480_000)

  it('draws a digit’s J(x) in both bases, masks that match its metrics, and the differences', async () => {
    await project.runRow(ids.a).locator('td').nth(2).click()
    await new RunPage(page).waitForStatus(/completed/)
    const explorer = new ExplorerPage(page)
    await explorer.open()
    await explorer.pick(5)

    // Both layer-1 maps are drawn, and they are not the same picture.
    for (const basis of ['neuron', 'learned'] as const) {
      await expect.poll(() => canvasIsDrawn(page, ExplorerPage.map(1, basis))).toBe(true)
    }
    const pixels = (basis: 'neuron' | 'learned') =>
      explorer
        .map(1, basis)
        .evaluate((el) => (el as unknown as { toDataURL(): string }).toDataURL())
    expect(await pixels('learned')).not.toBe(await pixels('neuron'))

    // The numbers shown are the backend's for this input, and the masks count them.
    const truth = await callApi<InputJacobians>(session.app.url, 'inputs.jacobians', {
      project: projectId,
      runId: ids.a,
      input: 5,
    })
    await screenshot(page, '20-explorer-digit')
    await explorer.showMask()
    for (const layer of truth.layers) {
      for (const basis of ['neuron', 'learned'] as const) {
        const nearZero = layer[basis].metrics.nearZero
        expect(await explorer.metric(layer.layer, basis, 'nearZero')).toBe(nearZero)
        await expect
          .poll(() => blackFraction(explorer.map(layer.layer, basis)), {
            message: `layer ${layer.layer} ${basis}: the mask's near-zero cells`,
          })
          .toBeCloseTo(nearZero, 9)
      }
    }
    // The learned basis changes what is near zero in the hidden layers.
    const [l1, l2] = truth.layers
    expect(l1.learned.metrics.nearZero).not.toBe(l1.neuron.metrics.nearZero)
    expect(l2.learned.metrics.nearZero).not.toBe(l2.neuron.metrics.nearZero)
    await screenshot(page, '21-explorer-mask')

    await explorer.showDifferences()
    await expect.poll(() => canvasIsDrawn(page, ExplorerPage.differenceMap(1))).toBe(true)
    await page.getByTestId('theme-toggle').click()
    await screenshot(page, '22-explorer-mask-differences-dark')
    await page.getByTestId('theme-toggle').click()

    // The inputs the learned basis changes most: picking the first shows it.
    await explorer.rankMostChanged()
    const first = explorer.digits().first()
    const input = Number(await first.getAttribute('data-input'))
    await first.click()
    await explorer.shownInput(input).waitFor({ timeout: 60_000 })
    await screenshot(page, '23-explorer-most-changed')
    expect(session.errors).toEqual([])
  })

  it('sets two runs’ mean |J| against each other in Compare', async () => {
    // Sections replace the address, so one step back is the project.
    await page.goBack()
    await project.waitUntilOpen()
    await project.selectRun(ids.a)
    await project.selectRun(ids.b)
    await page.getByTestId('compare-selected').click()
    const compare = new ComparePage(page)
    await compare.waitUntilLoaded()
    await page.getByTestId('compare-difference').scrollIntoViewIfNeeded()
    for (const kind of ['difference-map', 'log-ratio-map'] as const) {
      await expect.poll(() => canvasIsDrawn(page, ComparePage.differenceMap(kind))).toBe(true)
    }
    await screenshot(page, '24-compare-difference')
    await page.getByTestId('theme-toggle').click()
    await screenshot(page, '25-compare-difference-dark')
    await page.getByTestId('theme-toggle').click()
    expect(session.errors).toEqual([])
  })
})
