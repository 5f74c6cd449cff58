import { type InjectionKey, inject, onBeforeUnmount } from 'vue'

/**
 * How a figure exports itself. Charts and heatmaps register one with the FigureFrame
 * around them (provide/inject), so the frame's PNG/SVG buttons work for any figure
 * without the parent wiring refs through loops.
 */
export interface FigureExporter {
  /** `title`: the frame's title and subtitle, for figures that do not draw their own. */
  png(title?: FigureTitle): Promise<Blob>
  svg(title?: FigureTitle): Promise<string> | string
}

export interface FigureTitle {
  readonly text: string
  readonly subtext?: string
}

export const FIGURE_EXPORT: InjectionKey<(exporter: FigureExporter) => () => void> =
  Symbol('figure-export')

/** Registers a figure's exporter with the enclosing FigureFrame, if there is one. */
export function useFigureExport(exporter: FigureExporter): void {
  const register = inject(FIGURE_EXPORT, null)
  if (!register) return
  const off = register(exporter)
  onBeforeUnmount(off)
}
