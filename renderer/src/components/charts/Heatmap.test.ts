// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import Heatmap from './Heatmap.vue'
import type { HeatCell } from './heatmap-core.ts'

// 2×3: row 0 = [0, 1, 2], row 1 = [10, 0, 5].
const data = Float32Array.from([0, 1, 2, 10, 0, 5])

function mountHeatmap(props: Record<string, unknown> = {}) {
  const w = mount(Heatmap, {
    props: { data, rows: 2, cols: 3, rowLabel: 'out', colLabel: 'in', ...props },
    global: { plugins: [createPinia()] },
    attachTo: document.body,
  })
  const canvas = w.get('[data-testid="heatmap-canvas"]')
  // happy-dom does no layout: the canvas is 300×100 CSS px at the origin.
  ;(canvas.element as HTMLCanvasElement).getBoundingClientRect = () =>
    ({ left: 0, top: 0, width: 300, height: 100, right: 300, bottom: 100, x: 0, y: 0 }) as DOMRect
  return { w, canvas }
}

describe('Heatmap', () => {
  it('reports the hovered cell in data coordinates and shows its value', async () => {
    const { w, canvas } = mountHeatmap()
    await canvas.trigger('mousemove', { clientX: 250, clientY: 75 })
    expect(w.emitted('update:hover')!.at(-1)).toEqual([{ row: 1, col: 2 }])
    await nextTick()
    const tip = w.get('[data-testid="heatmap-tooltip"]').text()
    expect(tip).toContain('out 1 · in 2')
    expect(tip).toContain('5')
    await canvas.trigger('mouseleave')
    expect(w.emitted('update:hover')!.at(-1)).toEqual([null])
    w.unmount()
  })

  it('maps the hovered position through the row and column orders', async () => {
    const { w, canvas } = mountHeatmap({
      rowOrder: Int32Array.from([1, 0]),
      colOrder: Int32Array.from([2, 0, 1]),
    })
    // Display row 0, column 0 shows data row 1, column 2.
    await canvas.trigger('mousemove', { clientX: 10, clientY: 10 })
    expect(w.emitted('update:hover')!.at(-1)).toEqual([{ row: 1, col: 2 }])
    w.unmount()
  })

  it('draws a crosshair for a hover cell set by a synced parent', async () => {
    const { w } = mountHeatmap({ hover: { row: 0, col: 1 } satisfies HeatCell })
    await nextTick()
    expect(w.find('.band.row').exists()).toBe(true)
    expect(w.get('[data-testid="heatmap-tooltip"]').text()).toContain('out 0 · in 1')
    await w.setProps({ hover: null })
    expect(w.find('.band.row').exists()).toBe(false)
    w.unmount()
  })

  it('uses given min/max for the colour scale, else the data range', async () => {
    const { w } = mountHeatmap()
    const vm = w.vm as unknown as { domain: { min: number; max: number; scale: string } }
    expect(vm.domain).toEqual({ min: 0, max: 10, scale: 'linear' })
    await w.setProps({ min: 1, max: 20 })
    expect(vm.domain).toEqual({ min: 1, max: 20, scale: 'linear' })
    await w.setProps({ min: null, max: null, scale: 'log' })
    expect(vm.domain).toEqual({ min: 1, max: 10, scale: 'log' })
    await w.setProps({ colormap: 'diverging', symmetric: true, scale: 'linear' })
    expect(vm.domain).toEqual({ min: -10, max: 10, scale: 'linear' })
    w.unmount()
  })

  it('gives the canvas one pixel per cell and a colorbar', () => {
    const { w, canvas } = mountHeatmap()
    expect(canvas.attributes('data-rows')).toBe('2')
    expect(canvas.attributes('data-cols')).toBe('3')
    expect(w.find('[data-testid="colorbar"]').exists()).toBe(true)
    w.unmount()
  })
})
