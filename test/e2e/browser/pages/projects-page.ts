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

  projectCard(name: string) {
    return this.page.getByTestId('project-card').filter({ hasText: name })
  }
}
