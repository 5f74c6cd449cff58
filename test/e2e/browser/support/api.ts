import WebSocket from 'ws'

/**
 * The web app's API as a script sees it: one command over its WebSocket with the printed
 * address's token, answered with the reply envelope's value (a failure throws). What a test
 * compares the page against.
 */
export async function callApi<T>(appUrl: string, command: string, params: unknown): Promise<T> {
  const url = new URL(appUrl)
  const token = url.searchParams.get('token') ?? ''
  const ws = new WebSocket(`ws://${url.host}/api?token=${encodeURIComponent(token)}`)
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const reply = await new Promise<{ ok: boolean; value?: T; error?: { message: string } }>(
      (resolve) => {
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString())
          if (m.id === 1) resolve(m)
        })
        ws.send(JSON.stringify({ id: 1, command, params }))
      },
    )
    if (!reply.ok) throw new Error(`${command}: ${reply.error?.message}`)
    return reply.value as T
  } finally {
    ws.close()
  }
}
