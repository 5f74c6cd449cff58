import type { Page } from 'playwright-core'

/** The project browser (`#/`). */
export class ProjectsPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByTestId('new-project').waitFor()
  }

  async createProject(name: string): Promise<void> {
    await this.page.getByTestId('new-project').click()
    await this.page.getByTestId('project-name-input').fill(name)
    await this.page.getByTestId('create-project').click()
  }

  /** Creates a project and ends on its page (opening it from its card if needed). */
  async createAndOpen(name: string): Promise<void> {
    await this.createProject(name)
    if (!(await this.page.getByTestId('new-run').isVisible())) {
      await this.projectCard(name).getByTestId('open-project').click()
    }
    await this.page.getByTestId('new-run').waitFor()
  }

  projectCard(name: string) {
    return this.page.getByTestId('project-card').filter({ hasText: name })
  }

  /** Moves a project to the trash from its card, confirming. */
  async deleteProject(name: string): Promise<void> {
    await this.projectCard(name).getByTestId('delete-project').click()
    await this.page.getByTestId('confirm-ok').click()
    await this.projectCard(name).waitFor({ state: 'detached' })
  }

  async openTrash(): Promise<void> {
    if (!(await this.trash().isVisible())) await this.page.getByTestId('show-trash').click()
    await this.trash().waitFor()
  }

  trash() {
    return this.page.getByTestId('trash')
  }

  trashItem(name: string) {
    return this.page.getByTestId('trash-item').filter({ hasText: name })
  }

  async restore(name: string): Promise<void> {
    await this.trashItem(name).getByTestId('trash-restore').click()
    await this.projectCard(name).waitFor()
  }

  async deleteForGood(name: string): Promise<void> {
    await this.trashItem(name).getByTestId('trash-purge').click()
    await this.page.getByTestId('confirm-ok').click()
    await this.trashItem(name).waitFor({ state: 'detached' })
  }

  /** Downloads a project from its card (web mode); returns the saved file's path. */
  async download(name: string, saveAs: string): Promise<string> {
    const download = this.page.waitForEvent('download')
    await this.projectCard(name).getByTestId('export-project').click()
    await (await download).saveAs(saveAs)
    return saveAs
  }

  /** Uploads a project file through Import (web mode's file picker). */
  async upload(file: string): Promise<void> {
    await this.page.getByTestId('import-upload').setInputFiles(file)
  }
}
