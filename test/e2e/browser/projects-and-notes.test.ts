import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ProjectPage, TINY_RUN } from './pages/project-page.ts'
import { ProjectsPage } from './pages/projects-page.ts'
import { RunPage } from './pages/run-page.ts'
import { SCREENSHOT_DIR, screenshot, screenshotBothThemes } from './support/browser.ts'
import { browserSkipReason, useBrowserSession } from './support/session.ts'

const skipReason = browserSkipReason()

/**
 * Projects as a researcher keeps them, in Debian's Chromium through `npm run web`: the
 * verdict a finished run opens with, notes on runs and projects, a rename that keeps links
 * and table settings, the trash, a project downloaded and uploaded back, and what a tab
 * without the token is told.
 */
describe.skipIf(skipReason !== null)('projects, notes and verdicts in the browser', () => {
  let page: Page
  let projects: ProjectsPage
  let project: ProjectPage
  let runId = 0
  const session = useBrowserSession(async (s) => {
    page = s.page
    projects = new ProjectsPage(page)
    await projects.open(s.app.url)
    await projects.createAndOpen('Notes study')
    project = new ProjectPage(page)
    runId = await project.startRun(TINY_RUN)
    await project.waitForRunStatus(runId, /completed/)
  }, 480_000)

  it('opens a finished run with one verdict per layer, LIB’s caveat beside it', async () => {
    await project.runRow(runId).locator('td').nth(2).click()
    const run = new RunPage(page)
    await run.waitForStatus(/completed/)
    await expect.poll(() => run.verdicts().count()).toBe(3)
    for (const line of await run.verdicts().allTextContents()) {
      expect(line.replace(/\s+/g, ' ')).toMatch(
        /^Layer \d · .+: learned ranks \d+(st|nd|rd|th) of 6 on near-zero/,
      )
      expect(line).toMatch(/best simple basis (neuron|random|PCA|JᵀJ eigen|LIB)/)
    }
    expect(await run.verdictLibNote().textContent()).toMatch(/LIB's near-zero is inflated/)
    await screenshotBothThemes(page, '20-run-verdicts')
  })

  it('keeps notes on a run and on its project across a reload', async () => {
    const run = new RunPage(page)
    await run.notes().write('Budget too short: rerun at 30 s.\nLayer 2 moved most.')
    await page.reload()
    await run.waitForStatus(/completed/)
    expect(await run.notes().text().textContent()).toBe(
      'Budget too short: rerun at 30 s.\nLayer 2 moved most.',
    )

    await run.projectLink().click()
    await project.waitUntilOpen()
    expect(await project.runNotesCell(runId).textContent()).toContain(
      'Budget too short: rerun at 30 s.',
    )
    await project.notes().write('Sweep of budgets for the fast optimizer.')
    await page.reload()
    await project.waitUntilOpen()
    expect(await project.notes().text().textContent()).toBe(
      'Sweep of budgets for the fast optimizer.',
    )
    await screenshotBothThemes(page, '21-project-notes')
  })

  it('renames a project without breaking its address, its table settings or its run links', async () => {
    await project.setColumn('config.seed', true)
    await project.setWhere('seed = 0')
    await expect.poll(() => project.runRows().count()).toBe(1)
    const address = page.url()
    expect(address).toMatch(/[?&]project=[0-9a-f-]{36}/)

    await project.rename('Notes study renamed')
    expect(page.url()).toBe(address)
    await page.reload()
    await project.waitUntilOpen()
    expect(await project.title().textContent()).toContain('Notes study renamed')
    await project.columnHeader('config.seed').waitFor()
    expect(await project.whereInput().inputValue()).toBe('seed = 0')

    await project.runRow(runId).locator('td').nth(2).click()
    const run = new RunPage(page)
    await run.waitForStatus(/completed/)
    expect(await run.projectLink().textContent()).toBe('Notes study renamed')
    expect(await page.title()).toMatch(/ — Notes study renamed — Basiscope$/)
    await run.projectLink().click()
    await project.waitUntilOpen()
    expect(page.url()).toBe(address)
    await project.setWhere('')
  })

  it('moves projects to the trash, restores one and deletes the other for good', async () => {
    await page.getByTestId('back-to-projects').click()
    await page.getByTestId('project-list').waitFor()
    await projects.createProject('Scratch A')
    await projects.projectCard('Scratch A').waitFor()
    await projects.createProject('Scratch B')
    await projects.projectCard('Scratch B').waitFor()
    await projects.deleteProject('Scratch A')
    await projects.deleteProject('Scratch B')

    await projects.openTrash()
    await projects.trashItem('Scratch A').waitFor()
    await projects.trashItem('Scratch B').waitFor()
    await screenshotBothThemes(page, '22-trash')
    await projects.restore('Scratch A')
    await projects.deleteForGood('Scratch B')
    expect(await projects.trashItem('Scratch A').count()).toBe(0)
    await page.reload()
    await projects.projectCard('Scratch A').waitFor()
    expect(await projects.projectCard('Scratch B').count()).toBe(0)
    await projects.openTrash()
    expect(await page.getByTestId('trash-empty').textContent()).toMatch(/empty/)
  })

  it('downloads a project and uploads it back as a copy with its runs', async () => {
    const file = await projects.download(
      'Notes study renamed',
      join(SCREENSHOT_DIR, '..', 'notes-study.basiscope'),
    )
    expect(readFileSync(file).subarray(0, 15).toString()).toBe('SQLite format 3')
    await projects.upload(file)
    const copy = projects.projectCard('Notes study renamed (2)')
    await copy.waitFor()
    expect(await copy.getByTestId('project-run-count').textContent()).toBe('1 run')
    expect(session.errors).toEqual([])
  })

  it('tells a tab without the token, or with an old one, which address to open', async () => {
    const origin = new URL(session.app.url).origin
    const bare = await session.browser.newPage({ viewport: { width: 1200, height: 600 } })
    await bare.goto(`${origin}/`)
    const message = bare.getByTestId('access-message')
    await message.waitFor()
    expect(await message.textContent()).toMatch(/no access token.*npm run web/)
    expect(await bare.getByTestId('connection').textContent()).toContain('No access')
    await screenshot(bare, '23-tab-without-token')
    await bare.goto(`${origin}/?token=from-an-earlier-launch`)
    await bare.reload()
    await message.waitFor()
    expect(await message.textContent()).toMatch(/not the current one/)
    await bare.close()
  })
})
