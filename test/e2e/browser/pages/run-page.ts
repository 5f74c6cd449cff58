import type { Page } from 'playwright-core'
import { NotesEditor } from './project-page.ts'

/** One run: live progress while it runs, results and figures when it is done. */
export class RunPage {
  constructor(readonly page: Page) {}

  status() {
    return this.page.getByTestId('run-status').first()
  }

  async waitForStatus(status: RegExp, timeout = 240_000): Promise<void> {
    await this.status().filter({ hasText: status }).waitFor({ timeout })
  }

  progress() {
    return this.page.getByTestId('run-progress')
  }

  /** Opens a section of the run view by its visible label (tab or section nav). */
  async showSection(label: RegExp): Promise<void> {
    await this.page.getByRole('tab', { name: label }).first().click()
  }

  heatmaps() {
    return this.page.getByTestId('heatmap-canvas')
  }

  cloneButton() {
    return this.page.getByTestId('clone-run')
  }

  notes() {
    return new NotesEditor(this.page.getByTestId('run-notes'))
  }

  /** The verdict lines above the held-out table, one per layer. */
  verdicts() {
    return this.page.getByTestId('verdict')
  }

  /** The seed group's verdicts (a run of a group), and their lines, one per layer. */
  groupVerdicts() {
    return this.page.getByTestId('group-verdicts')
  }

  groupVerdictLines() {
    return this.page.getByTestId('group-verdict')
  }

  verdictLibNote() {
    return this.page.getByTestId('verdict-lib-note')
  }

  /** The breadcrumb link back to the run's project. */
  projectLink() {
    return this.page.getByTestId('run-project-link')
  }
}
