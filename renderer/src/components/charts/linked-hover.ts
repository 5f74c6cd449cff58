import { type ShallowRef, shallowRef } from 'vue'
import type { HeatCell } from './heatmap-core.ts'

/**
 * The hovered cell of a pair of heatmaps: one cell for both when linked (hovering one marks
 * the same cell in the other), one each otherwise.
 */
export function useLinkedHover(linked: () => boolean) {
  const first: ShallowRef<HeatCell | null> = shallowRef(null)
  const second: ShallowRef<HeatCell | null> = shallowRef(null)
  const own = (i: number) => (linked() || i === 0 ? first : second)
  return {
    hoverOf: (i: number) => own(i).value,
    setHover: (i: number, cell: HeatCell | null) => {
      own(i).value = cell
    },
  }
}
