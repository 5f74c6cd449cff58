import { vi } from 'vitest'

/**
 * Web mode's file routes as a store test sees them: `fetch` answered by `answer` (the reply
 * envelope's value for each URL), and the download links the page clicks, as
 * "href as filename". `restore()` puts fetch and the anchor back.
 */
export function stubWebFiles(answer: (url: string) => unknown) {
  const requests: { url: string; init: RequestInit }[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      requests.push({ url, init })
      return new Response(JSON.stringify({ id: null, ok: true, value: answer(url) }))
    }),
  )
  const clicked: string[] = []
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    clicked.push(`${this.getAttribute('href')} as ${this.download}`)
  })
  /** The token header a request carried. */
  const tokenOf = (i: number) =>
    (requests[i].init.headers as Record<string, string>)['x-basiscope-token']
  return {
    requests,
    clicked,
    tokenOf,
    restore() {
      click.mockRestore()
      vi.unstubAllGlobals()
    },
  }
}
