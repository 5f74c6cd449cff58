import type { Locator, Page } from 'playwright-core'
import { until } from '../support/browser.ts'

/** Settings that make a real run take seconds: a small split, a small model, short budgets. */
export const SMALL_RUN: readonly (readonly [string, string])[] = [
  ['data.split.train', '1000'],
  ['data.split.test', '500'],
  ['model.hidden', '32, 32'],
  ['model.epochs', '1'],
  ['rotation.samples', '100'],
  ['rotation.budgetSeconds', '3'],
  ['evaluation.heldOutSamples', '200'],
]

/** Shorter still: runs that only need to exist, differ and have their baselines. */
export const TINY_RUN = [...SMALL_RUN, ['rotation.budgetSeconds', '1']] as const

/** A project's runs table, its toolbar and its New run form. */
export class ProjectPage {
  constructor(readonly page: Page) {}

  async waitUntilOpen(): Promise<void> {
    await this.page.getByTestId('new-run').waitFor()
  }

  async openNewRunForm(): Promise<void> {
    await this.page.getByTestId('new-run').first().click()
    await this.form().waitFor()
  }

  form() {
    return this.page.getByTestId('run-form')
  }

  async choosePreset(label: RegExp): Promise<void> {
    const select = this.page.getByTestId('preset-select')
    // The box appears once the form has the defaults and every preset's values.
    await select.locator('option').first().waitFor({ state: 'attached' })
    const options = await select.locator('option').allTextContents()
    const match = options.find((o) => label.test(o.trim()))
    if (!match) throw new Error(`no preset matching ${label}; have ${options.join(' | ')}`)
    await select.selectOption({ label: match.trim() })
  }

  /** Sets a form field by its config path (`model.epochs`), as a user types or picks it. */
  async setField(path: string, value: string): Promise<void> {
    const field = this.page.getByTestId(`field-${path}`)
    const tag = await field.evaluate((el) => el.tagName)
    if (tag === 'SELECT') await field.selectOption(value)
    else await field.fill(value)
  }

  fieldValue(path: string): Promise<string> {
    return this.page.getByTestId(`field-${path}`).inputValue()
  }

  fieldError(path: string) {
    return this.page.getByTestId(`field-error-${path}`)
  }

  startButton() {
    return this.page.getByTestId('start-run')
  }

  /**
   * Fills the open form (a preset first, if given), starts the run and returns its id once
   * its row is in the table.
   */
  async startRun(fields: readonly (readonly [string, string])[], preset?: RegExp): Promise<number> {
    const [id] = await this.startRuns(fields, 1, preset)
    return id
  }

  /**
   * As startRun, for a config that starts `count` runs (`seeds`: one per model seed): their
   * ids, ascending, once their rows are in the table.
   */
  async startRuns(
    fields: readonly (readonly [string, string])[],
    count: number,
    preset?: RegExp,
  ): Promise<number[]> {
    const ids = () =>
      this.runRows().evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))))
    const before = new Set(await ids())
    if (!(await this.form().isVisible())) await this.openNewRunForm()
    if (preset) await this.choosePreset(preset)
    for (const [path, value] of fields) await this.setField(path, value)
    await until(() => this.startButton().isEnabled(), 'the config to be valid', 15_000)
    await this.startButton().click()
    await until(
      async () => (await this.runRows().count()) === before.size + count,
      `the ${count} new run${count > 1 ? 's' : ''} in the table`,
      20_000,
    )
    return (await ids()).filter((id) => !before.has(id)).sort((a, b) => a - b)
  }

  runRows() {
    return this.page.getByTestId('run-row')
  }

  runRow(runId: number) {
    return this.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`)
  }

  async waitForRunStatus(runId: number, status: RegExp, timeout = 240_000): Promise<void> {
    await this.runRow(runId).getByTestId('run-row-status').filter({ hasText: status }).waitFor({
      timeout,
    })
  }

  async selectRun(runId: number): Promise<void> {
    await this.runRow(runId).getByTestId('run-select').check()
  }

  async cloneRun(runId: number): Promise<void> {
    await this.runRow(runId).getByTestId('run-clone').click()
    await this.form().waitFor()
  }

  /** Types a structured filter and applies it (Enter), as a user does. */
  async setWhere(expression: string): Promise<void> {
    const input = this.page.getByTestId('runs-where')
    await input.fill(expression)
    await input.press('Enter')
  }

  whereInput() {
    return this.page.getByTestId('runs-where')
  }

  whereError() {
    return this.page.getByTestId('runs-where-error')
  }

  /** Shows or hides a column by its key (`config.seed`) in the column chooser. */
  async setColumn(key: string, on: boolean): Promise<void> {
    await this.page.getByTestId('columns-button').click()
    const box = this.page.getByTestId(`column-${key}`)
    if (on) await box.check()
    else await box.uncheck()
    await this.page.keyboard.press('Escape')
  }

  /** Groups the table by a column key, or by `seeds` (runs that differ only by seed); '' ends it. */
  async groupBy(key: string): Promise<void> {
    await this.page.getByTestId('runs-group-by').selectOption(key)
  }

  groupRows() {
    return this.page.getByTestId('run-group')
  }

  /**
   * How the table sits in its box: how far it overflows sideways, and how far the actions
   * cell of the first row is from the box's right edge with the table scrolled fully left.
   */
  tableFit(): Promise<{ overflow: number; actionsGap: number }> {
    return this.page.getByTestId('runs-table').evaluate((table) => {
      const wrap = table.parentElement!
      wrap.scrollLeft = 0
      const actions = table.querySelector('tbody td.actions')!
      return {
        overflow: wrap.scrollWidth - wrap.clientWidth,
        actionsGap: wrap.getBoundingClientRect().right - actions.getBoundingClientRect().right,
      }
    })
  }

  columnHeader(key: string) {
    return this.page.locator(`[data-testid="runs-column"][data-column="${key}"]`)
  }

  title() {
    return this.page.getByTestId('project-title')
  }

  /** Renames the project in place (click the title, type, Enter). */
  async rename(name: string): Promise<void> {
    await this.title().click()
    await this.page.getByTestId('project-rename-input').fill(name)
    await this.page.getByTestId('project-rename-input').press('Enter')
    await this.title().filter({ hasText: name }).waitFor()
  }

  /** The project's notes editor. */
  notes() {
    return new NotesEditor(this.page.getByTestId('project-notes'))
  }

  /** A run's cell in the Notes column. */
  runNotesCell(runId: number) {
    return this.runRow(runId).locator('td.notes')
  }
}

/** Notes on a run or a project: shown, edited in place, saved. */
export class NotesEditor {
  constructor(readonly root: Locator) {}

  text() {
    return this.root.getByTestId('notes-text')
  }

  async write(notes: string): Promise<void> {
    await this.root.getByTestId('notes-edit').click()
    await this.root.getByTestId('notes-input').fill(notes)
    await this.root.getByTestId('notes-save').click()
    await this.text().waitFor()
  }
}
