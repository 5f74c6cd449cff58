import type { Page } from 'playwright-core'

/** The side-by-side comparison of 2–4 runs. */
export class ComparePage {
  constructor(readonly page: Page) {}

  async waitUntilLoaded(): Promise<void> {
    await this.page.getByTestId('compare-config').waitFor()
  }

  configRows() {
    return this.page.getByTestId('compare-config').locator('tbody tr')
  }

  heatmaps() {
    return this.page.getByTestId('heatmap-canvas')
  }

  basisSimilarity() {
    return this.page.getByTestId('compare-bases')
  }
}
