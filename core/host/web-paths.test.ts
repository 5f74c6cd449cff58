import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { FILE_PARAMS } from '../api/commands/file-params.ts'
import { path as pathSchema } from '../api/commands/fields.ts'
import { type CommandName, type Reply, commands } from '../api/contract.ts'
import type { ProjectInfo } from '../api/records.ts'
import { BasiscopeService } from '../service/service.ts'
import { createProject } from '../store/project-store.ts'
import { type WebServer, startWebServer } from './web-server.ts'

/** Web mode names server-side files only inside the workspace (FILE_PARAMS; D5). */

let service: BasiscopeService
let server: WebServer
let ws: WebSocket
let workspace: string
let outside: string
let project: ProjectInfo
const replies = new Map<number, (r: Reply) => void>()
let nextId = 1

/** One request over the real WebSocket. */
function send(command: string, params: unknown): Promise<Reply> {
  const id = nextId++
  return new Promise((done) => {
    replies.set(id, done)
    ws.send(JSON.stringify({ id, command, params }))
  })
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'trust-web-paths-ws-'))
  outside = mkdtempSync(join(tmpdir(), 'trust-web-paths-out-'))
  service = new BasiscopeService({ workspaceDir: workspace, exportDir: outside })
  server = await startWebServer({
    handle: (raw) => service.handle(raw),
    subscribe: (l) => service.subscribe(l),
    workspaceDir: workspace,
  })
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`)
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Reply
    replies.get(reply.id as number)?.(reply)
  })
  await new Promise((ok) => ws.once('open', ok))
  const created = await service.handle({ id: 0, command: 'projects.create', params: { name: 'P' } })
  project = (created as { value: ProjectInfo }).value
  symlinkSync(outside, join(workspace, 'escape'))
})
afterAll(async () => {
  ws.close()
  await server.close()
  await service.close()
})

function expectRefused(reply: Reply, field: string): void {
  expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
  if (reply.ok) return
  expect(reply.error.message).toContain(`: ${field}: `)
  expect(reply.error.message).toMatch(/workspace folder/)
  expect(reply.error.message).toMatch(/download|upload/)
}

describe('web mode: paths outside the workspace', () => {
  it('refuses an export destination outside, or none (its default is outside)', async () => {
    expectRefused(
      await send('projects.export', {
        path: project.id,
        destination: join(outside, 'x.basiscope'),
      }),
      'destination',
    )
    expectRefused(await send('projects.export', { path: project.id }), 'destination')
    expect(readdirSync(outside)).toEqual([])
  })

  it('refuses traversal and symlinks that lead out, resolving them', async () => {
    for (const directory of ['../out', `${workspace}/a/../../b`, 'escape/run-1', 'escape']) {
      expectRefused(
        await send('runs.export', { project: project.id, runId: 1, directory }),
        'directory',
      )
    }
    expectRefused(
      await send('projects.export', { path: project.id, destination: 'escape/p.basiscope' }),
      'destination',
    )
    expect(readdirSync(outside)).toEqual([])
    expect(existsSync(join(workspace, '..', 'out'))).toBe(false)
  })

  it('refuses reads outside: imports, restores, project paths and the run config files', async () => {
    const other = join(outside, 'other.basiscope')
    createProject(other, 'Elsewhere').close()
    expectRefused(await send('projects.import', { source: other }), 'source')
    expectRefused(await send('projects.restore', { path: other }), 'path')
    expectRefused(await send('projects.open', { path: other }), 'path')
    expectRefused(await send('runs.list', { project: other }), 'project')
    expectRefused(
      await send('projects.delete', { path: '../' + other.split('/').pop(), toTrash: false }),
      'path',
    )
    for (const [field, config] of [
      ['config.model.file', { model: { source: 'file', file: '/etc/passwd' } }],
      [
        'config.data.split.file',
        { data: { source: 'mnist-embedded', split: { kind: 'file', file: '/etc/hosts' } } },
      ],
      [
        'config.data.testLabels',
        {
          data: {
            source: 'mnist-idx',
            trainImages: 'a',
            trainLabels: 'b',
            testImages: 'c',
            testLabels: '../x',
          },
        },
      ],
    ] as const) {
      expectRefused(await send('runs.start', { project: project.id, config }), field)
    }
    expect(existsSync(other)).toBe(true)
  })

  it('lets paths inside the workspace through, and project ids', async () => {
    const exported = await send('projects.export', {
      path: project.id,
      destination: 'exports/p.basiscope',
    })
    // The folder must exist: the copy does not make it, and says so (not the path rule).
    expect(!exported.ok && exported.error.message).not.toMatch(/web mode/)
    mkdirSync(join(workspace, 'exports'))
    const again = await send('projects.export', {
      path: project.id,
      destination: 'exports/p.basiscope',
    })
    expect(again).toMatchObject({ ok: true })
    expect((await send('runs.list', { project: project.id })).ok).toBe(true)
    expect((await send('runs.list', { project: project.path })).ok).toBe(true)
  })

  it('the service itself (the CLI) still takes any path', async () => {
    const reply = await service.handle({
      id: 9,
      command: 'projects.export',
      params: { path: project.id, destination: join(outside, 'cli.basiscope') },
    })
    expect(reply.ok).toBe(true)
  })
})

describe('FILE_PARAMS', () => {
  it('lists every param whose schema is a path', () => {
    for (const [command, spec] of Object.entries(commands)) {
      const shape = (spec.params as unknown as { shape: Record<string, unknown> }).shape
      for (const [field, schema] of Object.entries(shape)) {
        const inner = (schema as { unwrap?: () => unknown }).unwrap?.() ?? schema
        if (inner !== pathSchema) continue
        const listed = FILE_PARAMS[command as CommandName]?.map((p) => p.field) ?? []
        expect(listed, `${command}.${field}`).toContain(field)
      }
    }
  })
})
