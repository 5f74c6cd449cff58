import type { Page } from 'playwright-core'

/** A project's runs table and its New run form. */
export class ProjectPage {
  constructor(readonly page: Page) {}

  async waitUntilOpen(): Promise<void> {
    await this.page.getByTestId('new-run').waitFor()
  }

  async openNewRunForm(): Promise<void> {
    await this.page.getByTestId('new-run').first().click()
    await this.page.getByTestId('run-form').waitFor()
  }

  async choosePreset(label: RegExp): Promise<void> {
    const select = this.page.getByTestId('preset-select')
    const options = await select.locator('option').allTextContents()
    const match = options.find((o) => label.test(o))
    if (!match) throw new Error(`no preset matching ${label}; have ${options.join(' | ')}`)
    await select.selectOption({ label: match })
  }

  /** Sets a form field by its config path (`model.epochs`), as a user types or picks it. */
  async setField(path: string, value: string): Promise<void> {
    const field = this.page.getByTestId(`field-${path}`)
    const tag = await field.evaluate((el) => el.tagName)
    if (tag === 'SELECT') await field.selectOption(value)
    else await field.fill(value)
  }

  fieldError(path: string) {
    return this.page.getByTestId(`field-error-${path}`)
  }

  startButton() {
    return this.page.getByTestId('start-run')
  }

  runRows() {
    return this.page.getByTestId('run-row')
  }

  runRow(runId: number) {
    return this.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`)
  }

  async selectRun(runId: number): Promise<void> {
    await this.runRow(runId).getByTestId('run-select').check()
  }
}
