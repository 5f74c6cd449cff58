import { type Ref, onBeforeUnmount, onMounted } from 'vue'

/** Closes a popover (menu, chooser) on a click outside its root or on Escape. */
export function useDismiss(root: Ref<HTMLElement | null>, open: Ref<boolean>): void {
  function onDocClick(e: MouseEvent): void {
    if (open.value && root.value && !root.value.contains(e.target as Node)) open.value = false
  }
  function onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') open.value = false
  }
  onMounted(() => {
    document.addEventListener('mousedown', onDocClick)
    document.addEventListener('keydown', onKey)
  })
  onBeforeUnmount(() => {
    document.removeEventListener('mousedown', onDocClick)
    document.removeEventListener('keydown', onKey)
  })
}
