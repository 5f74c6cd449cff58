// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { documentTitle, useDocumentTitle } from './title.ts'

describe('document titles', () => {
  it('names the view first and the app last, skipping empty parts', () => {
    expect(documentTitle('#3 fast', 'Digits study')).toBe('#3 fast — Digits study — Basiscope')
    expect(documentTitle(null, '', 'Compare #1, #2')).toBe('Compare #1, #2 — Basiscope')
    expect(documentTitle()).toBe('Basiscope')
  })

  it('follows the view while it is mounted and falls back to the app name', async () => {
    const name = ref('Digits study')
    const View = defineComponent({
      setup() {
        useDocumentTitle(() => [name.value])
        return () => h('div')
      },
    })
    const w = mount(View)
    expect(document.title).toBe('Digits study — Basiscope')
    name.value = 'Renamed'
    await w.vm.$nextTick()
    expect(document.title).toBe('Renamed — Basiscope')
    w.unmount()
    expect(document.title).toBe('Basiscope')
  })
})
