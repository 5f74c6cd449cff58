import { onBeforeUnmount, watchEffect } from 'vue'

export const APP_TITLE = 'Basiscope'

/** "Digits study — Basiscope": the view's own name first, so windows and tabs tell apart. */
export function documentTitle(...parts: readonly (string | null | undefined)[]): string {
  return [...parts.filter((p): p is string => !!p && !!p.trim()), APP_TITLE].join(' — ')
}

/** Keeps document.title on what the calling view shows while it is mounted. */
export function useDocumentTitle(parts: () => readonly (string | null | undefined)[]): void {
  let mine = ''
  const stop = watchEffect(() => {
    document.title = mine = documentTitle(...parts())
  })
  onBeforeUnmount(() => {
    stop()
    // The next view may have named the window already; only our own title goes.
    if (document.title === mine) document.title = APP_TITLE
  })
}
