import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import yauzl from 'yauzl'
import { TOKEN_HEADER, WEB_ROUTES } from '../api/bridge.ts'
import type { ProjectInfo } from '../api/records.ts'
import { BasiscopeService } from '../service/service.ts'
import { SQLITE_HEADER } from '../store/validate.ts'
import { statusIs, tinyConfig, waitForEvent } from '../../test/helpers/service.ts'
import { type WebServer, startWebServer } from './web-server.ts'

/** Every entry of a zip, by name. */
function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((done, fail) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (e, file) => {
      if (e) return fail(e)
      const out = new Map<string, Buffer>()
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (err, stream) => {
          if (err) return fail(err)
          const chunks: Buffer[] = []
          stream.on('data', (c: Buffer) => chunks.push(c))
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks))
            file.readEntry()
          })
        })
      })
      file.on('end', () => done(out))
      file.on('error', fail)
      file.readEntry()
    })
  })
}

/** Web mode's file routes over a real service: export downloads and import uploads. */
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f()
})

async function start(maxUploadBytes?: number) {
  const workspaceDir = mkdtempSync(join(tmpdir(), 'basiscope-webfiles-'))
  const service = new BasiscopeService({
    workspaceDir,
    exportDir: mkdtempSync(join(tmpdir(), 'basiscope-webfiles-out-')),
  })
  const server = await startWebServer({
    handle: (raw) => service.handle(raw),
    subscribe: (l) => service.subscribe(l),
    workspaceDir,
    maxUploadBytes,
  })
  cleanup.push(async () => {
    await server.close()
    await service.close()
  })
  const created = await service.handle({
    id: 1,
    command: 'projects.create',
    params: { name: 'Café study' },
  })
  return { server, service, project: (created as { value: ProjectInfo }).value }
}

const withToken = (server: WebServer, extra: Record<string, string> = {}) => ({
  [TOKEN_HEADER]: server.token,
  origin: server.origin,
  ...extra,
})

async function exportTicket(server: WebServer, project: string) {
  const res = await fetch(
    `${server.origin}${WEB_ROUTES.exportProject}?project=${encodeURIComponent(project)}`,
    {
      method: 'POST',
      headers: withToken(server),
    },
  )
  return {
    status: res.status,
    reply: (await res.json()) as {
      ok: boolean
      value: { download: string; filename: string; bytes: number }
    },
  }
}

describe('web files: status for a tab without the token', () => {
  it('tells a token-less or stale tab to open the printed address, and a current one it is fine', async () => {
    const { server } = await start()
    const status = async (headers: Record<string, string>) =>
      (await (await fetch(`${server.origin}${WEB_ROUTES.status}`, { headers })).json()) as {
        value: { token: string; message: string }
      }
    expect((await status({})).value).toEqual({
      token: 'missing',
      message: expect.stringContaining('Open the address `npm run web` printed'),
    })
    expect((await status({ [TOKEN_HEADER]: 'old-token' })).value.token).toBe('invalid')
    expect((await status({ [TOKEN_HEADER]: server.token })).value.token).toBe('valid')
  })
})

describe('web files: project download', () => {
  it('exports through a one-time link that needs the token to be made', async () => {
    const { server, project } = await start()
    const { status, reply } = await exportTicket(server, project.id)
    expect(status).toBe(200)
    expect(reply.value.filename).toBe('cafe-study.basiscope')
    const file = await fetch(`${server.origin}${reply.value.download}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="cafe-study.basiscope"; filename*=UTF-8''cafe-study.basiscope`,
    )
    const bytes = Buffer.from(await file.arrayBuffer())
    expect(bytes.length).toBe(reply.value.bytes)
    expect(bytes.subarray(0, 16).equals(SQLITE_HEADER)).toBe(true)
    // Used once, it is gone.
    expect((await fetch(`${server.origin}${reply.value.download}`)).status).toBe(404)
  })

  it('refuses without the token, from another origin, or by GET', async () => {
    const { server, project } = await start()
    const url = `${server.origin}${WEB_ROUTES.exportProject}?project=${project.id}`
    const noToken = await fetch(url, { method: 'POST', headers: { origin: server.origin } })
    expect(noToken.status).toBe(401)
    expect(await noToken.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    const foreign = await fetch(url, {
      method: 'POST',
      headers: withToken(server, { origin: 'http://evil.example' }),
    })
    expect(foreign.status).toBe(403)
    expect((await fetch(url, { headers: withToken(server) })).status).toBe(405)
    const missing = await exportTicket(server, '00000000-0000-4000-8000-000000000000')
    expect(missing.status).toBe(404)
    expect((await fetch(`${server.origin}${WEB_ROUTES.download}made-up`)).status).toBe(404)
  })
})

describe('web files: run download', () => {
  /** A finished tiny run in the server's service. */
  async function finishedRun(service: BasiscopeService, project: ProjectInfo): Promise<number> {
    const started = (await service.handle({
      id: 3,
      command: 'runs.start',
      params: { project: project.id, config: tinyConfig },
    })) as { ok: true; value: { run: { id: number } } }
    const runId = started.value.run.id
    await waitForEvent(service, statusIs(runId, 'completed', 'failed', 'cancelled'))
    return runId
  }

  const exportRun = (server: WebServer, query: string) =>
    fetch(`${server.origin}${WEB_ROUTES.exportRun}?${query}`, {
      method: 'POST',
      headers: withToken(server),
    })

  it("streams the run's export files as one zip through a one-time link", async () => {
    const { server, service, project } = await start()
    const runId = await finishedRun(service, project)
    const res = await exportRun(server, `project=${project.id}&runId=${runId}`)
    expect(res.status).toBe(200)
    const { value } = (await res.json()) as {
      value: { download: string; filename: string; bytes: number }
    }
    expect(value.filename).toBe(`cafe-study-run-${runId}.zip`)
    const file = await fetch(`${server.origin}${value.download}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/zip')
    const zip = Buffer.from(await file.arrayBuffer())
    expect(Number(file.headers.get('content-length'))).toBe(zip.length)
    const entries = await unzip(zip)
    expect([...entries.keys()].sort()).toEqual([
      'mean-abs-jacobians.safetensors',
      'model.safetensors',
      'rotated-weights.safetensors',
      'rotations.safetensors',
      'run.json',
    ])
    const model = (await service.handle({
      id: 4,
      command: 'runs.exportFile',
      params: { project: project.id, runId, kind: 'model' },
    })) as { value: { base64: string } }
    expect(
      entries.get('model.safetensors')!.equals(Buffer.from(model.value.base64, 'base64')),
    ).toBe(true)
    expect(JSON.parse(entries.get('run.json')!.toString()).run.id).toBe(runId)
    expect((await fetch(`${server.origin}${value.download}`)).status).toBe(404)

    const npy = await exportRun(server, `project=${project.id}&runId=${runId}&format=npy`)
    const npyLink = ((await npy.json()) as { value: { download: string } }).value.download
    const npyEntries = await unzip(
      Buffer.from(await (await fetch(`${server.origin}${npyLink}`)).arrayBuffer()),
    )
    expect([...npyEntries.keys()]).toEqual(expect.arrayContaining(['rotations.R1.npy', 'run.json']))
  }, 120_000)

  it('refuses a missing run, a bad run id or format, naming the field', async () => {
    const { server, project } = await start()
    const missing = await exportRun(server, `project=${project.id}&runId=99`)
    expect(missing.status).toBe(404)
    const bad = await exportRun(server, `project=${project.id}&runId=x`)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/runId/)
    const format = await exportRun(server, `project=${project.id}&runId=1&format=zip`)
    expect(((await format.json()) as { error: { message: string } }).error.message).toMatch(
      /format/,
    )
    const noToken = await fetch(`${server.origin}${WEB_ROUTES.exportRun}?project=x&runId=1`, {
      method: 'POST',
    })
    expect(noToken.status).toBe(401)
  })
})

describe('web files: project upload', () => {
  const upload = (server: WebServer, body: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(
      `${server.origin}${WEB_ROUTES.importProject}?filename=${encodeURIComponent('from laptop.basiscope')}`,
      {
        method: 'POST',
        headers: withToken(server, { 'content-type': 'application/octet-stream', ...headers }),
        body,
      },
    )

  it('imports an uploaded project file under a distinct name', async () => {
    const { server } = await start()
    const { reply } = await exportTicket(server, 'cafe-study.basiscope')
    const bytes = new Uint8Array(
      await (await fetch(`${server.origin}${reply.value.download}`)).arrayBuffer(),
    )
    const res = await upload(server, bytes)
    expect(res.status).toBe(200)
    const imported = (await res.json()) as { ok: true; value: ProjectInfo }
    expect(imported.value).toMatchObject({ name: 'Café study (2)', runCount: 0 })
  })

  it('refuses a file that is not a project, naming it, and anything too large or mistyped', async () => {
    const { server, service } = await start(64 * 1024)
    const junk = await upload(server, new TextEncoder().encode('not a database'))
    expect(junk.status).toBe(400)
    const reply = (await junk.json()) as { error: { code: string; message: string } }
    expect(reply.error).toMatchObject({ code: 'INVALID_FILE' })
    expect(reply.error.message).toBe(
      'from laptop.basiscope: is not a Basiscope project (not an SQLite database)',
    )
    expect((await upload(server, new Uint8Array(65 * 1024))).status).toBe(413)
    expect(
      (await upload(server, new Uint8Array(10), { 'content-type': 'text/plain' })).status,
    ).toBe(415)
    const listed = await service.handle({ id: 2, command: 'projects.list', params: {} })
    expect((listed as { value: unknown[] }).value).toHaveLength(1)
  })
})
