import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ProjectPage, TINY_RUN } from './pages/project-page.ts'
import { ProjectsPage } from './pages/projects-page.ts'
import { RunPage } from './pages/run-page.ts'
import { screenshotBothThemes } from './support/browser.ts'
import { browserSkipReason, useBrowserSession } from './support/session.ts'

const skipReason = browserSkipReason()

/**
 * Seed groups as issue 12 checks them ("groups runs by seed and compares them"), in Debian's
 * Chromium through `npm run web`: one config run over several model seeds from the New run
 * form, the runs table grouped by seed with one group read against another (beyond or
 * within the seeds' noise), and a run of a group opening with the group's verdicts.
 */
describe.skipIf(skipReason !== null)('seed groups in the browser', () => {
  let page: Page
  let project: ProjectPage
  let fast: number[] = []
  let original: number[] = []
  const session = useBrowserSession(async (s) => {
    page = s.page
    const projects = new ProjectsPage(page)
    await projects.open(s.app.url)
    await projects.createAndOpen('Seed study')
    project = new ProjectPage(page)
    fast = await project.startRuns([...TINY_RUN, ['seeds', '3']], 3)
    original = await project.startRuns([...TINY_RUN, ['seeds', '2']], 2, /^Original/)
    for (const id of [...fast, ...original]) await project.waitForRunStatus(id, /completed/)
  }, 600_000)

  it('groups the runs by seed and reads one group’s means against the other’s', async () => {
    await project.groupBy('seeds')
    await expect.poll(() => project.groupRows().count()).toBe(2)
    const labels = await project.groupRows().allTextContents()
    expect(labels.some((l) => /3×.*seeds 0, 1, 2/.test(l))).toBe(true)
    expect(labels.some((l) => /2×.*seeds 0, 1/.test(l))).toBe(true)

    const originalGroup = project.groupRows().filter({ hasText: '2×' })
    await originalGroup.getByTestId('group-reference').click()
    const fastGroup = project.groupRows().filter({ hasText: '3×' })
    // Each mean of the other group against the reference's, with what the noise says.
    const versus = fastGroup.getByTestId('group-versus')
    await expect.poll(() => versus.count()).toBeGreaterThan(0)
    const noise = await versus.evaluateAll((cells) =>
      cells.map((c) => c.getAttribute('data-noise')),
    )
    expect(noise.every((n) => n === 'true' || n === 'false')).toBe(true)
    expect(await originalGroup.getByTestId('group-versus').count()).toBe(0)
    const fit = await project.tableFit()
    expect(fit.overflow).toBe(0)
    await screenshotBothThemes(page, '30-runs-seed-groups')
    await originalGroup.getByTestId('group-reference').click()
    await project.groupBy('')
  })

  it('opens a run of a group with the group’s verdicts: mean ± sd, beyond noise or not', async () => {
    await project.runRow(fast[0]).locator('td').nth(2).click()
    const run = new RunPage(page)
    await run.waitForStatus(/completed/)
    await expect.poll(() => run.verdicts().count()).toBe(3)
    await run.groupVerdicts().waitFor()
    expect(await run.groupVerdicts().textContent()).toContain(
      `Over the 3 seeds of this group (${fast.map((id) => `#${id}`).join(', ')}), mean ± sd`,
    )
    const lines = await run.groupVerdictLines().allTextContents()
    expect(lines).toHaveLength(3)
    for (const line of lines) {
      expect(line.replace(/\s+/g, ' ')).toMatch(
        /^Layer \d · .+: near-zero: learned \d\.\d+ ± \d\.\d+, (neuron|random|PCA|JᵀJ eigen|LIB) \d\.\d+ ± \d\.\d+ — (better, beyond noise|worse, beyond noise|within noise)/,
      )
    }
    await screenshotBothThemes(page, '31-run-seed-group-verdicts')
    expect(session.errors).toEqual([])
  })
})
