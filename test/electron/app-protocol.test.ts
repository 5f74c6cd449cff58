import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { appProtocolHandler, contentTypeOf, resolveAppPath } from '../../electron/app-protocol.ts'
import { CONTENT_SECURITY_POLICY } from '../../electron/security.ts'

let base: string
let root: string

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'basiscope-protocol-')))
  root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Basiscope</title>')
  writeFileSync(join(root, 'assets/index-abc.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets/index-abc.css'), 'body{}')
  writeFileSync(join(root, 'assets/backend.wasm'), Buffer.from([0, 97, 115, 109]))
  writeFileSync(join(base, 'secret.txt'), 'outside the renderer')
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets/link.txt'))
})

describe('app:// path resolution', () => {
  it('maps URLs to files in the renderer folder', async () => {
    await expect(resolveAppPath(root, 'app://basiscope/index.html')).resolves.toEqual({
      file: join(root, 'index.html'),
    })
    await expect(resolveAppPath(root, 'app://basiscope/')).resolves.toEqual({
      file: join(root, 'index.html'),
    })
    await expect(
      resolveAppPath(root, 'app://basiscope/assets/index-abc.js?v=1#x'),
    ).resolves.toEqual({ file: join(root, 'assets/index-abc.js') })
  })

  it.each([
    ['app://basiscope/../secret.txt', 404],
    ['app://basiscope/%2e%2e/secret.txt', 404],
    ['app://basiscope/assets/%2e%2e%2f..%2fsecret.txt', 403],
    ['app://basiscope/..%5csecret.txt', 403],
    ['app://basiscope/assets/..\\..\\secret.txt', 403],
    ['app://basiscope/assets/link.txt', 403],
    ['app://basiscope/%E0%A4%A', 400],
    ['app://basiscope/index.html%00.js', 400],
    ['app://evil/index.html', 404],
    ['https://basiscope/index.html', 404],
    ['app://basiscope/assets', 404],
    ['app://basiscope/missing.js', 404],
  ])('refuses %s (%i)', async (url, status) => {
    await expect(resolveAppPath(root, url)).resolves.toEqual({ status })
  })
})

describe('app:// responses', () => {
  it('serves files with their MIME type and the CSP', async () => {
    const handler = appProtocolHandler(root)
    const page = await handler(new Request('app://basiscope/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(await page.text()).toContain('<title>Basiscope</title>')

    const script = await handler(new Request('app://basiscope/assets/index-abc.js'))
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('x-content-type-options')).toBe('nosniff')
    const wasm = await handler(new Request('app://basiscope/assets/backend.wasm'))
    expect(wasm.headers.get('content-type')).toBe('application/wasm')
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]))
  })

  it('answers refusals with the CSP too, and only GET/HEAD', async () => {
    const handler = appProtocolHandler(root)
    const traversal = await handler(new Request('app://basiscope/assets/link.txt'))
    expect(traversal.status).toBe(403)
    expect(await traversal.text()).not.toContain('outside')
    expect(traversal.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    const post = await handler(new Request('app://basiscope/index.html', { method: 'POST' }))
    expect(post.status).toBe(405)
    const missingRoot = appProtocolHandler(join(base, 'nope'))
    expect((await missingRoot(new Request('app://basiscope/index.html'))).status).toBe(404)
  })

  it('knows the bundle’s MIME types', () => {
    expect(contentTypeOf('a.css')).toBe('text/css; charset=utf-8')
    expect(contentTypeOf('a.SVG')).toBe('image/svg+xml')
    expect(contentTypeOf('a.woff2')).toBe('font/woff2')
    expect(contentTypeOf('a.bin')).toBe('application/octet-stream')
  })
})
