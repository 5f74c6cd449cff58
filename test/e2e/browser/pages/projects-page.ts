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
}
