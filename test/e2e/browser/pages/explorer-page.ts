import type { Locator, Page } from 'playwright-core'

const CANVAS = '[data-testid="heatmap-canvas"]'
const layerOf = (layer: number) => `[data-testid="explorer-layer"][data-layer="${layer}"]`

/** A run's Input explorer tab: the digit picker, the input in view and its maps per layer. */
export class ExplorerPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: /input explorer/i }).click()
    await this.digits().first().waitFor({ timeout: 60_000 })
  }

  digits() {
    return this.page.getByTestId('explorer-digit')
  }

  digit(input: number) {
    return this.page.locator(`[data-testid="explorer-digit"][data-input="${input}"]`)
  }

  /** Picks a digit and waits until its Jacobians are shown. */
  async pick(input: number): Promise<void> {
    await this.digit(input).click()
    await this.shownInput(input).waitFor({ timeout: 60_000 })
  }

  shownInput(input: number) {
    return this.page.locator(`[data-testid="explorer-input"][data-input="${input}"]`)
  }

  /** The number shown for a metric of a layer in a basis (its full value, not the rounded text). */
  async metric(layer: number, basis: 'neuron' | 'learned', key: string): Promise<number> {
    const cell = this.page.locator(
      `[data-testid="explorer-metric"][data-layer="${layer}"][data-basis="${basis}"][data-key="${key}"]`,
    )
    return Number(await cell.getAttribute('data-value'))
  }

  /** The heatmap canvas of a layer's map in a basis (a selector, for canvasIsDrawn). */
  static map(layer: number, basis: 'neuron' | 'learned'): string {
    return `${layerOf(layer)} [data-testid="explorer-map"][data-basis="${basis}"] ${CANVAS}`
  }

  map(layer: number, basis: 'neuron' | 'learned'): Locator {
    return this.page.locator(ExplorerPage.map(layer, basis))
  }

  async showMask(): Promise<void> {
    await this.page.getByTestId('explorer-view-mask').click()
    await this.page.locator('[data-testid="explorer-map"][data-view="mask"]').first().waitFor()
  }

  async showDifferences(): Promise<void> {
    await this.page.getByTestId('explorer-differences').check()
  }

  /** The after − before map of a layer (a selector). */
  static differenceMap(layer: number): string {
    return `${layerOf(layer)} [data-testid="difference-map"] ${CANVAS}`
  }

  async rankMostChanged(): Promise<void> {
    await this.page.getByTestId('explorer-mode-changed').click()
    await this.page.getByTestId('explorer-rank').click()
    await this.page.getByTestId('explorer-rank-summary').waitFor({ timeout: 60_000 })
  }
}
