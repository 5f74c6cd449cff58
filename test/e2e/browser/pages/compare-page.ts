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

  metrics() {
    return this.page.getByTestId('compare-metrics')
  }

  /** The side-by-side heatmaps of the runs (not the difference panel's maps). */
  heatmaps() {
    return this.page.locator(
      '.card:not([data-testid="compare-difference"]) [data-testid="heatmap-canvas"]',
    )
  }

  basisSimilarity() {
    return this.page.getByTestId('compare-bases')
  }

  /** Rows of the basis-similarity table (one per space and pair of runs). */
  basisRows() {
    return this.page.getByTestId('compare-bases-table').locator('tbody tr')
  }

  basesNote() {
    return this.page.getByTestId('compare-bases-note')
  }

  /** The chart canvases of the Optimization panel (objective and gradient norm per layer). */
  curveCharts() {
    return this.page.getByTestId('compare-curves').locator('.echart')
  }

  layerOptions() {
    return this.page.getByTestId('compare-layer').locator('option:not([disabled])')
  }

  missingHeatmaps() {
    return this.page.getByTestId('compare-heatmaps-missing')
  }

  /** The difference panel's map canvases (selectors, for canvasIsDrawn). */
  static differenceMap(kind: 'difference-map' | 'log-ratio-map'): string {
    return `[data-testid="compare-difference"] [data-testid="${kind}"] [data-testid="heatmap-canvas"]`
  }
}
