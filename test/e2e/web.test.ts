import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { TOKEN_HEADER, WEB_ROUTES } from '../../core/api/bridge.ts'

/** `npm run web` as a user starts it: a real process, the URL read from its output. */
describe('web mode (npm run web)', () => {
  let child: ChildProcess
  let url: URL

  beforeAll(async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'basiscope-web-'))
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'core/host/web-entry.ts', '--workspace', workspace],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    url = await new Promise<URL>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000)
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const m = out.match(/Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/)
        if (m) {
          clearTimeout(timer)
          resolve(new URL(m[1]))
        }
      })
      child.on('exit', (code) => reject(new Error(`web host exited with ${code}: ${out}`)))
    })
  })

  afterAll(() => {
    child?.kill('SIGTERM')
  })

  const connect = (token: string | null, origin?: string): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(
        `ws://${url.host}/api${token === null ? '' : `?token=${token}`}`,
        origin ? { origin } : {},
      )
      ws.once('open', () => resolve(ws))
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })

  it('listens on loopback with a per-launch token and serves the page', async () => {
    expect(url.hostname).toBe('127.0.0.1')
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await res.text()).toContain('Basiscope')
  })

  it('refuses the API without the token, with a wrong token, or from a foreign origin', async () => {
    await expect(connect(null)).rejects.toThrow(/401/)
    await expect(connect('wrong-token')).rejects.toThrow(/401/)
    await expect(connect(url.searchParams.get('token'), 'http://evil.example')).rejects.toThrow(
      /403/,
    )
  })

  it('answers commands over the WebSocket with the reply envelope', async () => {
    const ws = await connect(url.searchParams.get('token'))
    const ask = (msg: unknown): Promise<Record<string, unknown>> =>
      new Promise((resolve) => {
        ws.once('message', (data) => resolve(JSON.parse(data.toString())))
        ws.send(JSON.stringify(msg))
      })
    const info = await ask({ id: 1, command: 'app.info', params: {} })
    expect(info).toMatchObject({ id: 1, ok: true, value: { version: expect.any(String) } })
    const created = await ask({
      id: 2,
      command: 'projects.create',
      params: { name: 'From the web' },
    })
    expect(created).toMatchObject({ id: 2, ok: true, value: { name: 'From the web', runCount: 0 } })
    const bad = await ask({ id: 3, command: 'projects.create', params: { name: 42 } })
    expect(bad).toMatchObject({ id: 3, ok: false, error: { code: 'BAD_REQUEST' } })
    ws.close()
  })

  it('tells a tab without the token to open the printed address', async () => {
    const res = await fetch(`${url.origin}${WEB_ROUTES.status}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { value: { token: string; message: string } }
    expect(body.value.token).toBe('missing')
    expect(body.value.message).toMatch(/npm run web/)
  })

  it('downloads a project export and uploads it back for import, over HTTP', async () => {
    const token = url.searchParams.get('token')!
    const headers = { [TOKEN_HEADER]: token, origin: url.origin }
    const exported = await fetch(
      `${url.origin}${WEB_ROUTES.exportProject}?project=${encodeURIComponent('from-the-web.basiscope')}`,
      { method: 'POST', headers },
    )
    expect(exported.status).toBe(200)
    const { value } = (await exported.json()) as { value: { download: string; filename: string } }
    expect(value.filename).toBe('from-the-web.basiscope')
    const file = await fetch(`${url.origin}${value.download}`)
    expect(file.headers.get('content-disposition')).toContain('from-the-web.basiscope')
    const bytes = new Uint8Array(await file.arrayBuffer())
    const imported = await fetch(`${url.origin}${WEB_ROUTES.importProject}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(imported.status).toBe(200)
    expect(await imported.json()).toMatchObject({ ok: true, value: { name: 'From the web (2)' } })
  })
})
