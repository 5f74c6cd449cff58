// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { flush } from '../../test/fake-transport.ts'
import NotesEditor from './NotesEditor.vue'

function render(save: (notes: string) => Promise<void>, notes = '') {
  return mount(NotesEditor, {
    props: { notes, updatedAt: null, subject: 'run', save },
    attachTo: document.body,
  })
}

describe('NotesEditor', () => {
  it('edits in place and saves with Ctrl+Enter', async () => {
    const save = vi.fn(async () => {})
    const w = render(save)
    expect(w.find('[data-testid="notes-text"]').exists()).toBe(false)
    await w.get('[data-testid="notes-edit"]').trigger('click')
    const input = w.get('[data-testid="notes-input"]')
    await input.setValue('dead units moved to layer 2')
    await input.trigger('keydown', { key: 'Enter', ctrlKey: true })
    await flush()
    expect(save).toHaveBeenCalledWith('dead units moved to layer 2')
    expect(w.find('[data-testid="notes-input"]').exists()).toBe(false)
    w.unmount()
  })

  it('keeps what was typed, and says why, when saving fails', async () => {
    const w = render(async () => {
      throw new Error('the project file is read-only')
    }, 'old')
    expect(w.get('[data-testid="notes-text"]').text()).toBe('old')
    await w.get('[data-testid="notes-edit"]').trigger('click')
    await w.get('[data-testid="notes-input"]').setValue('new text')
    await w.get('[data-testid="notes-save"]').trigger('click')
    await flush()
    expect(w.get('[role="alert"]').text()).toContain('the project file is read-only')
    expect((w.get('[data-testid="notes-input"]').element as HTMLTextAreaElement).value).toBe(
      'new text',
    )
    // Escape leaves the notes as they were.
    await w.get('[data-testid="notes-input"]').trigger('keydown', { key: 'Escape' })
    expect(w.get('[data-testid="notes-text"]').text()).toBe('old')
    w.unmount()
  })
})
