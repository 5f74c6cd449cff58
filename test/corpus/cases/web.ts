import { randomBytes } from 'node:crypto'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { WebSocket } from 'ws'
import { TOKEN_HEADER, WEB_ROUTES } from '../../../core/api/bridge.ts'
import type { Reply } from '../../../core/api/contract.ts'
import { type WebServer, startWebServer } from '../../../core/host/web-server.ts'
import { createProject } from '../../../core/store/project-store.ts'
import type { CaseContext, MalformedCase, Outcome } from '../corpus.ts'
import { serviceFixture } from '../service-fixture.ts'

/**
 * Malformed messages for web mode, through the real web server (port 0) over a real
 * WebSocket and its HTTP file routes: paths outside the workspace in every kind of path
 * param (absolute, `..`, symlinks; writes, reads, project files, run-config files), frames
 * that are not JSON requests, an oversized message, and bad file-route requests. The case's
 * folder stands for the rest of the machine: it is outside the server's workspace, and must
 * come out unchanged.
 */

interface Fixture {
  readonly server: WebServer
  readonly workspace: string
  /** A project of the workspace and its recorded run. */
  readonly project: string
  readonly runId: number
  ask(text: string | Buffer, binary?: boolean): Promise<Reply>
}

/** Largest upload the server takes here: small, so the too-large case is cheap. */
const MAX_UPLOAD = 64 * 1024

let shared: Promise<Fixture> | null = null
function fixture(): Promise<Fixture> {
  shared ??= (async () => {
    const { service, workspace, project, runId } = serviceFixture('trust-web-corpus-web')
    const server = await startWebServer({
      handle: (raw) => service.handle(raw),
      subscribe: (l) => service.subscribe(l),
      workspaceDir: workspace,
      maxUploadBytes: MAX_UPLOAD,
    })
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`)
    await new Promise((ok, fail) => {
      ws.once('open', ok)
      ws.once('error', fail)
    })
    // Cases run one at a time: the next reply is this case's.
    let waiting: ((r: Reply) => void) | null = null
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Reply | { event: string }
      if ('event' in message) return
      waiting?.(message)
      waiting = null
    })
    const ask = (text: string | Buffer, binary = false) =>
      new Promise<Reply>((done) => {
        waiting = done
        ws.send(text, { binary })
      })
    return { server, workspace, project, runId, ask }
  })()
  return shared
}

const reply = (r: Reply): Outcome => ({ kind: 'reply', reply: r })

type Params = (f: Fixture, ctx: CaseContext) => unknown

/** A command over the WebSocket whose params name a file outside the workspace. */
function outside(
  what: string,
  command: string,
  params: Params,
  field: string,
  setup?: MalformedCase['setup'],
): MalformedCase {
  return {
    id: `web/${command}-${what}`,
    setup,
    run: async (ctx) => {
      const f = await fixture()
      return reply(await f.ask(JSON.stringify({ id: 1, command, params: params(f, ctx) })))
    },
    mentions: [`${field}:`, 'outside the workspace folder'],
    errorCode: 'INVALID_ARGUMENT',
  }
}

/** A project file in the case's folder: one that web mode must not reach. */
const outsideProject = (ctx: CaseContext) =>
  createProject(join(ctx.dir, 'elsewhere.basiscope'), 'Elsewhere').close()
const elsewhere = (ctx: CaseContext) => join(ctx.dir, 'elsewhere.basiscope')
/** The same file named relative to the workspace, through `..`. */
const elsewhereRelative = (f: Fixture, ctx: CaseContext) => relative(f.workspace, elsewhere(ctx))

const paths: MalformedCase[] = [
  outside(
    'destination-absolute',
    'projects.export',
    (f, c) => ({
      path: f.project,
      destination: join(c.dir, 'copy.basiscope'),
    }),
    'destination',
  ),
  {
    id: 'web/projects.export-no-destination',
    run: async () => {
      const f = await fixture()
      return reply(
        await f.ask(
          JSON.stringify({ id: 1, command: 'projects.export', params: { path: f.project } }),
        ),
      )
    },
    mentions: ['destination:', 'download'],
  },
  outside(
    'destination-dotdot',
    'projects.export',
    (f, c) => ({
      path: f.project,
      destination: relative(f.workspace, join(c.dir, 'copy.basiscope')),
    }),
    'destination',
  ),
  outside(
    'destination-inner-dotdot',
    'projects.export',
    (f, c) => ({
      path: f.project,
      destination: `sub/../../${relative(join(f.workspace, '..'), join(c.dir, 'x.basiscope'))}`,
    }),
    'destination',
  ),
  outside(
    'destination-through-symlink',
    'projects.export',
    (f, c) => {
      const link = join(f.workspace, `link-${randomBytes(4).toString('hex')}`)
      symlinkSync(c.dir, link)
      return { path: f.project, destination: join(link, 'copy.basiscope') }
    },
    'destination',
  ),
  outside(
    'project-path-outside',
    'projects.export',
    (_, c) => ({
      path: elsewhere(c),
      destination: 'exports/copy.basiscope',
    }),
    'path',
    outsideProject,
  ),
  outside(
    'directory-absolute',
    'runs.export',
    (f, c) => ({
      project: f.project,
      runId: f.runId,
      directory: c.dir,
    }),
    'directory',
  ),
  outside(
    'directory-new-outside',
    'runs.export',
    (f, c) => ({
      project: f.project,
      runId: f.runId,
      directory: join(c.dir, 'new', 'folder'),
    }),
    'directory',
  ),
  outside(
    'directory-root',
    'runs.export',
    (f) => ({
      project: f.project,
      runId: f.runId,
      directory: '/',
    }),
    'directory',
  ),
  outside(
    'directory-symlinked-file',
    'runs.export',
    (f, c) => {
      const link = join(f.workspace, `to-file-${randomBytes(4).toString('hex')}`)
      symlinkSync(join(c.dir, 'notes.txt'), link)
      return { project: f.project, runId: f.runId, directory: link }
    },
    'directory',
    (c) => writeFileSync(join(c.dir, 'notes.txt'), 'notes'),
  ),
  outside(
    'source-outside',
    'projects.import',
    (_, c) => ({ source: elsewhere(c) }),
    'source',
    outsideProject,
  ),
  outside('source-system-file', 'projects.import', () => ({ source: '/etc/passwd' }), 'source'),
  outside(
    'path-outside',
    'projects.restore',
    (_, c) => ({ path: elsewhere(c) }),
    'path',
    outsideProject,
  ),
  outside(
    'path-outside',
    'projects.open',
    (_, c) => ({ path: elsewhere(c) }),
    'path',
    outsideProject,
  ),
  outside(
    'path-outside',
    'projects.rename',
    (_, c) => ({ path: elsewhere(c), name: 'Mine now' }),
    'path',
    outsideProject,
  ),
  outside(
    'path-outside',
    'projects.delete',
    (_, c) => ({ path: elsewhere(c), toTrash: false }),
    'path',
    outsideProject,
  ),
  outside(
    'path-outside',
    'projects.duplicate',
    (_, c) => ({ path: elsewhere(c) }),
    'path',
    outsideProject,
  ),
  outside(
    'path-outside',
    'projects.setNotes',
    (_, c) => ({ path: elsewhere(c), notes: 'hi' }),
    'path',
    outsideProject,
  ),
  outside(
    'project-dotdot',
    'runs.list',
    (f, c) => ({ project: elsewhereRelative(f, c) }),
    'project',
    outsideProject,
  ),
  outside(
    'project-outside',
    'runs.start',
    (_, c) => ({ project: elsewhere(c), config: {} }),
    'project',
    outsideProject,
  ),
  outside(
    'project-outside',
    'runs.exportFile',
    (_, c) => ({
      project: elsewhere(c),
      runId: 1,
      kind: 'run-json',
    }),
    'project',
    outsideProject,
  ),
  outside(
    'project-outside',
    'artifacts.list',
    (_, c) => ({ project: elsewhere(c), runId: 1 }),
    'project',
    outsideProject,
  ),
  outside(
    'project-outside',
    'inputs.list',
    (_, c) => ({ project: elsewhere(c), runId: 1 }),
    'project',
    outsideProject,
  ),
  outside(
    'model-file-outside',
    'runs.start',
    (f, c) => ({
      project: f.project,
      config: { model: { source: 'file', file: join(c.dir, 'model.safetensors') } },
    }),
    'config.model.file',
    (c) => writeFileSync(join(c.dir, 'model.safetensors'), 'weights'),
  ),
  outside(
    'split-file-outside',
    'runs.start',
    (f, c) => ({
      project: f.project,
      config: {
        data: {
          source: 'mnist-embedded',
          split: { kind: 'file', file: join(c.dir, 'split.json') },
        },
      },
    }),
    'config.data.split.file',
    (c) => writeFileSync(join(c.dir, 'split.json'), '{"train":[1],"test":[2]}'),
  ),
  outside(
    'idx-file-outside',
    'runs.start',
    (f) => ({
      project: f.project,
      config: {
        data: {
          source: 'mnist-idx',
          trainImages: '/etc/passwd',
          trainLabels: 'labels.idx',
          testImages: 'test.idx',
          testLabels: 'test-labels.idx',
        },
      },
    }),
    'config.data.trainImages',
  ),
]

/** A raw frame over the WebSocket. */
function frame(
  what: string,
  data: string | Buffer,
  mentions: string[],
  binary = false,
): MalformedCase {
  return {
    id: `web/frame-${what}`,
    run: async () => reply(await (await fixture()).ask(data, binary)),
    mentions,
    errorCode: 'BAD_REQUEST',
  }
}

const frames: MalformedCase[] = [
  frame('binary', Buffer.from('{"id":1,"command":"app.info"}'), ['binary'], true),
  frame('not-json', '{id: 1, command: app.info}', ['invalid JSON']),
  frame('empty', '', ['invalid JSON']),
  frame('truncated-json', '{"id":1,"command":"app.in', ['invalid JSON']),
  frame('bom', '\ufeff{"id":1,"command":"app.info"}', ['invalid JSON']),
  frame('deeply-nested', '['.repeat(200_000) + ']'.repeat(200_000), ['(request)']),
  frame('json-string', '"app.info"', ['(request)']),
  frame('json-numbers-as-command', '{"id":1,"command":1e400}', ['command']),
  {
    id: 'web/frame-oversize',
    // Past the server's message limit, ws closes the connection (1009) before any handler
    // runs: the refusal is the close frame, reported here as the reply a client makes of it.
    run: async () => {
      const { server } = await fixture()
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`)
      await new Promise((ok) => ws.once('open', ok))
      const closed = new Promise<{ code: number; reason: string }>((done) =>
        ws.once('close', (code, reason) => done({ code, reason: String(reason) })),
      )
      ws.on('error', () => {})
      ws.send(
        JSON.stringify({ id: 1, command: 'app.info', params: { pad: 'x'.repeat(17 * 1024 ** 2) } }),
      )
      const { code, reason } = await closed
      return reply({
        id: null,
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: `the server closed the connection: ${code} ${reason}`,
        },
      })
    },
    mentions: ['1009'],
  },
]

/** A request to one of the HTTP file routes, answered with the reply envelope. */
function route(
  what: string,
  path: (f: Fixture, ctx: CaseContext) => string,
  mentions: MalformedCase['mentions'],
  init: RequestInit = {},
  more: Partial<MalformedCase> = {},
): MalformedCase {
  return {
    id: `web/route-${what}`,
    run: async (ctx) => {
      const f = await fixture()
      const res = await fetch(`${f.server.origin}${path(f, ctx)}`, {
        method: 'POST',
        ...init,
        headers: { [TOKEN_HEADER]: f.server.token, origin: f.server.origin, ...init.headers },
      })
      return reply((await res.json()) as Reply)
    },
    mentions,
    ...more,
  }
}

const q = encodeURIComponent
const routes: MalformedCase[] = [
  route('export-no-project', () => WEB_ROUTES.exportProject, ['project']),
  route(
    'export-project-outside',
    (_, c) => `${WEB_ROUTES.exportProject}?project=${q(elsewhere(c))}`,
    ['project:', 'outside the workspace folder'],
    {},
    { setup: outsideProject },
  ),
  route(
    'export-run-project-outside',
    (_, c) => `${WEB_ROUTES.exportRun}?project=${q(elsewhere(c))}&runId=1`,
    ['project:', 'outside the workspace folder'],
    {},
    { setup: outsideProject },
  ),
  route('export-run-bad-id', (f) => `${WEB_ROUTES.exportRun}?project=${f.project}&runId=abc`, [
    'runId',
  ]),
  route('export-run-no-id', (f) => `${WEB_ROUTES.exportRun}?project=${f.project}`, ['runId']),
  route(
    'export-run-bad-format',
    (f) => `${WEB_ROUTES.exportRun}?project=${f.project}&runId=${f.runId}&format=tar`,
    ['format'],
  ),
  route(
    'export-run-missing-run',
    (f) => `${WEB_ROUTES.exportRun}?project=${f.project}&runId=77`,
    ['run 77'],
    {},
    {
      errorCode: 'NOT_FOUND',
    },
  ),
  route(
    'import-not-a-project',
    () => `${WEB_ROUTES.importProject}?filename=${q('thesis.basiscope')}`,
    ['thesis.basiscope', 'not a Basiscope project'],
    { headers: { 'content-type': 'application/octet-stream' }, body: 'chapter one' },
  ),
  route('import-wrong-type', () => WEB_ROUTES.importProject, ['Content-Type'], {
    headers: { 'content-type': 'text/plain' },
    body: 'x',
  }),
  route('import-too-large', () => WEB_ROUTES.importProject, ['exceeds'], {
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(MAX_UPLOAD + 1),
  }),
  route(
    'download-unknown-ticket',
    () => `${WEB_ROUTES.download}made-up-ticket`,
    ['download link'],
    {
      method: 'GET',
    },
  ),
  route('unknown', () => '/files/delete-everything', ['/files/delete-everything']),
]

export const cases: MalformedCase[] = [...paths, ...frames, ...routes]
