import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CaseContext, MalformedCase, Outcome } from '../corpus.ts'
import { type ServiceFixture, serviceFixture } from '../service-fixture.ts'

/**
 * Malformed API messages fed to the real `BasiscopeService.handle` (every transport's entry):
 * bad envelopes, unknown commands, and for every command wrong types, missing or unknown
 * params, numbers out of range, over-long strings, bad project refs and run ids, and paths
 * that name the wrong thing. One service for the whole file; its workspace is its own, and
 * every file a case names is under the case's folder, which must come out unchanged.
 */

type Fixture = ServiceFixture

let shared: Fixture | null = null
const fixture = async (): Promise<Fixture> => (shared ??= serviceFixture('trust-web-corpus-api'))

type Params = (f: Fixture, ctx: CaseContext) => unknown

async function raw(message: unknown): Promise<Outcome> {
  return { kind: 'reply', reply: await (await fixture()).service.handle(message) }
}

/** A case that sends a whole raw message. */
function envelope(
  what: string,
  message: unknown,
  mentions: MalformedCase['mentions'],
  errorCode = 'BAD_REQUEST',
): MalformedCase {
  return { id: `api/envelope-${what}`, run: () => raw(message), mentions, errorCode }
}

/** A case that sends one command with bad params. */
function bad(
  what: string,
  command: string,
  params: Params,
  mentions: MalformedCase['mentions'],
  more: Partial<MalformedCase> = {},
): MalformedCase {
  return {
    id: `api/${command}-${what}`,
    run: async (ctx) => raw({ id: 7, command, params: params(await fixture(), ctx) }),
    mentions,
    ...more,
  }
}

const long = (n: number) => 'x'.repeat(n)
const MISSING_ID = '00000000-0000-4000-8000-000000000000'
const textFile = (ctx: CaseContext) => writeFileSync(join(ctx.dir, 'notes.txt'), 'my notes\n')

const envelopes: MalformedCase[] = [
  envelope('null', null, ['(request)']),
  envelope('number', 42, ['(request)', 'object']),
  envelope('string', 'runs.list', ['(request)']),
  envelope('array', [], ['(request)']),
  envelope('array-of-requests', [{ id: 1, command: 'app.info' }], ['(request)']),
  envelope('empty-object', {}, ['id', 'command']),
  envelope('no-id', { command: 'app.info' }, ['id']),
  envelope('no-command', { id: 1 }, ['command']),
  envelope('id-object', { id: { n: 1 }, command: 'app.info' }, ['id']),
  envelope('id-boolean', { id: true, command: 'app.info' }, ['id']),
  envelope('id-null', { id: null, command: 'app.info' }, ['id']),
  envelope('id-fraction', { id: 1.5, command: 'app.info' }, ['id']),
  envelope('id-unsafe-integer', { id: 2 ** 60, command: 'app.info' }, ['id']),
  envelope('id-huge-string', { id: long(100_000), command: 'app.info' }, ['id']),
  envelope('command-number', { id: 1, command: 7 }, ['command']),
  envelope('command-huge', { id: 1, command: long(10_000) }, ['command']),
  envelope('extra-key', { id: 1, command: 'app.info', token: 'secret' }, ['token']),
  envelope('params-string', { id: 1, command: 'app.info', params: 'all' }, ['(params)']),
  envelope('params-array', { id: 1, command: 'projects.list', params: [] }, ['(params)']),
  envelope('params-null-required', { id: 1, command: 'runs.list', params: null }, ['project']),
]

const unknownCommands: MalformedCase[] = [
  envelope(
    'unknown-command',
    { id: 1, command: 'runs.destroy' },
    ['runs.destroy'],
    'UNKNOWN_COMMAND',
  ),
  envelope('command-proto', { id: 1, command: '__proto__' }, ['__proto__'], 'UNKNOWN_COMMAND'),
  envelope(
    'command-constructor',
    { id: 1, command: 'constructor' },
    ['constructor'],
    'UNKNOWN_COMMAND',
  ),
  envelope('command-case', { id: 1, command: 'RUNS.LIST' }, ['RUNS.LIST'], 'UNKNOWN_COMMAND'),
  envelope('command-space', { id: 1, command: 'runs.list ' }, ['runs.list '], 'UNKNOWN_COMMAND'),
  envelope('command-empty', { id: 1, command: '' }, ['unknown command'], 'UNKNOWN_COMMAND'),
  envelope(
    'command-event',
    { id: 1, command: 'job.progress' },
    ['job.progress'],
    'UNKNOWN_COMMAND',
  ),
]

const projectCommands: MalformedCase[] = [
  bad('unknown-key', 'projects.list', () => ({ dir: '/' }), ['dir']),
  bad('unknown-key', 'projects.recent', () => ({ limit: 5 }), ['limit']),
  bad('unknown-key', 'projects.trash', () => ({ all: true }), ['all']),
  bad('no-name', 'projects.create', () => ({}), ['name']),
  bad('name-empty', 'projects.create', () => ({ name: '' }), ['name']),
  bad('name-long', 'projects.create', () => ({ name: long(201) }), ['name', '200']),
  bad('name-number', 'projects.create', () => ({ name: 12 }), ['name']),
  bad('name-blank', 'projects.create', () => ({ name: '   ' }), ['name']),
  bad('no-path', 'projects.open', () => ({}), ['path']),
  bad('path-number', 'projects.open', () => ({ path: 42 }), ['path']),
  bad('path-empty', 'projects.open', () => ({ path: '' }), ['path']),
  bad('path-nul', 'projects.open', () => ({ path: 'a\0b.basiscope' }), ['path', 'NUL']),
  bad('path-too-long', 'projects.open', () => ({ path: long(5000) }), ['path', '4096']),
  bad('missing-file', 'projects.open', (_, c) => ({ path: join(c.dir, 'gone.basiscope') }), [
    'gone.basiscope',
    'does not exist',
  ]),
  bad('text-file', 'projects.open', (_, c) => ({ path: join(c.dir, 'notes.txt') }), ['notes.txt'], {
    setup: textFile,
  }),
  bad('folder', 'projects.open', (_, c) => ({ path: c.dir }), ['folder']),
  bad('device', 'projects.open', () => ({ path: '/dev/null' }), ['/dev/null', 'regular file']),
  bad('unknown-id', 'projects.open', () => ({ path: MISSING_ID }), [MISSING_ID], {
    errorCode: 'NOT_FOUND',
  }),
  bad('no-name', 'projects.rename', (f) => ({ path: f.project }), ['name']),
  bad('name-newline', 'projects.rename', (f) => ({ path: f.project, name: '\n' }), ['name']),
  bad(
    'outside-workspace',
    'projects.rename',
    (_, c) => ({ path: join(c.dir, 'notes.txt'), name: 'x' }),
    ['notes.txt', 'workspace'],
    { setup: textFile },
  ),
  bad('name-object', 'projects.duplicate', (f) => ({ path: f.project, name: {} }), ['name']),
  bad('to-trash-string', 'projects.delete', (f) => ({ path: f.project, toTrash: 'yes' }), [
    'toTrash',
  ]),
  bad(
    'outside-workspace',
    'projects.delete',
    (_, c) => ({ path: join(c.dir, 'notes.txt'), toTrash: false }),
    ['notes.txt'],
    { setup: textFile },
  ),
  bad(
    'not-in-trash',
    'projects.restore',
    (_, c) => ({ path: join(c.dir, 'notes.txt') }),
    ['notes.txt', 'trash'],
    { setup: textFile },
  ),
  bad('no-source', 'projects.import', () => ({}), ['source']),
  bad(
    'source-text-file',
    'projects.import',
    (_, c) => ({ source: join(c.dir, 'notes.txt') }),
    ['notes.txt', 'not a Basiscope project'],
    { setup: textFile },
  ),
  bad('source-folder', 'projects.import', (_, c) => ({ source: c.dir }), ['folder']),
  bad('source-traversal', 'projects.import', () => ({ source: '../../../../etc/passwd' }), [
    '/etc/passwd',
  ]),
  bad('destination-number', 'projects.export', (f) => ({ path: f.project, destination: 5 }), [
    'destination',
  ]),
  bad('overwrite-string', 'projects.export', (f) => ({ path: f.project, overwrite: 'true' }), [
    'overwrite',
  ]),
  bad(
    'onto-text-file',
    'projects.export',
    (f, c) => ({
      path: f.project,
      destination: join(c.dir, 'notes.txt'),
    }),
    ['destination', 'already exists'],
    { setup: textFile },
  ),
  bad(
    'overwrite-text-file',
    'projects.export',
    (f, c) => ({
      path: f.project,
      destination: join(c.dir, 'notes.txt'),
      overwrite: true,
    }),
    ['destination', 'not a Basiscope project'],
    { setup: textFile },
  ),
  bad('onto-folder', 'projects.export', (f, c) => ({ path: f.project, destination: c.dir }), [
    'destination',
    'folder',
  ]),
  bad(
    'missing-folder',
    'projects.export',
    (f, c) => ({
      path: f.project,
      destination: join(c.dir, 'no', 'such', 'p.basiscope'),
    }),
    ['destination', 'folder does not exist'],
  ),
  bad(
    'name-too-long',
    'projects.export',
    (f, c) => ({
      path: f.project,
      destination: join(c.dir, `${long(300)}.basiscope`),
    }),
    ['destination', 'ENAMETOOLONG'],
  ),
  bad(
    'into-workspace',
    'projects.export',
    (f) => ({ path: f.project, destination: 'copy.basiscope' }),
    ['workspace folder'],
  ),
  bad('notes-too-long', 'projects.setNotes', (f) => ({ path: f.project, notes: long(100_001) }), [
    'notes',
  ]),
  bad('notes-array', 'projects.setNotes', (f) => ({ path: f.project, notes: ['a'] }), ['notes']),
]

const runCommands: MalformedCase[] = [
  bad('project-number', 'runs.list', () => ({ project: 123 }), ['project']),
  bad('project-unknown-id', 'runs.list', () => ({ project: MISSING_ID }), [MISSING_ID], {
    errorCode: 'NOT_FOUND',
  }),
  bad(
    'project-text-file',
    'runs.list',
    (_, c) => ({ project: join(c.dir, 'notes.txt') }),
    ['notes.txt'],
    { setup: textFile },
  ),
  bad('project-parent', 'runs.list', () => ({ project: '..' }), ['folder']),
  bad(
    'project-symlink-to-text',
    'runs.list',
    (_, c) => ({ project: join(c.dir, 'link.basiscope') }),
    ['link.basiscope'],
    {
      setup: (c) => {
        textFile(c)
        symlinkSync(join(c.dir, 'notes.txt'), join(c.dir, 'link.basiscope'))
      },
    },
  ),
  bad('run-id-zero', 'runs.get', (f) => ({ project: f.project, runId: 0 }), ['runId']),
  bad('run-id-negative', 'runs.get', (f) => ({ project: f.project, runId: -3 }), ['runId']),
  bad('run-id-fraction', 'runs.get', (f) => ({ project: f.project, runId: 1.5 }), ['runId']),
  bad('run-id-string', 'runs.get', (f) => ({ project: f.project, runId: '1' }), ['runId']),
  bad('run-id-huge', 'runs.get', (f) => ({ project: f.project, runId: 1e300 }), ['runId']),
  bad('run-missing', 'runs.get', (f) => ({ project: f.project, runId: 999 }), ['run 999'], {
    errorCode: 'NOT_FOUND',
  }),
  bad('no-run-id', 'runs.get', (f) => ({ project: f.project }), ['runId']),
  bad('no-config', 'runs.start', (f) => ({ project: f.project }), ['config']),
  bad('config-array', 'runs.start', (f) => ({ project: f.project, config: [] }), ['(root)'], {
    errorCode: 'INVALID_CONFIG',
  }),
  bad(
    'config-unknown-key',
    'runs.start',
    (f) => ({ project: f.project, config: { epochz: 3 } }),
    ['epochz'],
    { errorCode: 'INVALID_CONFIG' },
  ),
  bad(
    'config-bad-number',
    'runs.start',
    (f) => ({
      project: f.project,
      config: { model: { source: 'train', epochs: -1 } },
    }),
    ['model.epochs'],
    { errorCode: 'INVALID_CONFIG' },
  ),
  bad('name-too-long', 'runs.start', (f) => ({ project: f.project, config: {}, name: long(201) }), [
    'name',
  ]),
  bad('run-missing', 'runs.delete', (f) => ({ project: f.project, runId: 404 }), ['run 404'], {
    errorCode: 'NOT_FOUND',
  }),
  bad('tag-empty', 'runs.update', (f) => ({ project: f.project, runId: f.runId, tags: [''] }), [
    'tags.0',
  ]),
  bad(
    'tags-too-many',
    'runs.update',
    (f) => ({
      project: f.project,
      runId: f.runId,
      tags: Array.from({ length: 65 }, (_, i) => `t${i}`),
    }),
    ['tags'],
  ),
  bad(
    'tag-too-long',
    'runs.update',
    (f) => ({ project: f.project, runId: f.runId, tags: [long(65)] }),
    ['tags.0'],
  ),
  bad('tags-string', 'runs.update', (f) => ({ project: f.project, runId: f.runId, tags: 'a,b' }), [
    'tags',
  ]),
  bad(
    'unknown-key',
    'runs.update',
    (f) => ({ project: f.project, runId: f.runId, status: 'completed' }),
    ['status'],
  ),
  bad('notes-number', 'runs.setNotes', (f) => ({ project: f.project, runId: f.runId, notes: 3 }), [
    'notes',
  ]),
  bad(
    'max-points-low',
    'runs.metrics',
    (f) => ({ project: f.project, runId: f.runId, maxPoints: 1 }),
    ['maxPoints'],
  ),
  bad(
    'max-points-high',
    'runs.metrics',
    (f) => ({
      project: f.project,
      runId: f.runId,
      maxPoints: 100_001,
    }),
    ['maxPoints'],
  ),
  bad(
    'keys-string',
    'runs.metrics',
    (f) => ({ project: f.project, runId: f.runId, keys: 'loss' }),
    ['keys'],
  ),
  bad('one-run', 'runs.compare', (f) => ({ project: f.project, runIds: [f.runId] }), ['runIds']),
  bad('five-runs', 'runs.compare', (f) => ({ project: f.project, runIds: [1, 2, 3, 4, 5] }), [
    'runIds',
  ]),
  bad('run-ids-strings', 'runs.compare', (f) => ({ project: f.project, runIds: ['a', 'b'] }), [
    'runIds.0',
  ]),
  bad('no-directory', 'runs.export', (f) => ({ project: f.project, runId: f.runId }), [
    'directory',
  ]),
  bad(
    'format-zip',
    'runs.export',
    (f, c) => ({
      project: f.project,
      runId: f.runId,
      directory: c.dir,
      format: 'zip',
    }),
    ['format'],
  ),
  bad(
    'directory-is-file',
    'runs.export',
    (f, c) => ({
      project: f.project,
      runId: f.runId,
      directory: join(c.dir, 'notes.txt'),
    }),
    ['directory', 'notes.txt', 'is a file'],
    { setup: textFile, errorCode: 'INVALID_ARGUMENT' },
  ),
  bad(
    'files-already-there',
    'runs.export',
    (f, c) => ({
      project: f.project,
      runId: f.runId,
      directory: c.dir,
    }),
    ['directory', 'run.json', 'overwrite'],
    {
      setup: (c) => writeFileSync(join(c.dir, 'run.json'), '{"mine": true}'),
    },
  ),
  bad(
    'directory-under-file',
    'runs.export',
    (f, c) => ({
      project: f.project,
      runId: f.runId,
      directory: join(c.dir, 'notes.txt', 'sub'),
    }),
    ['directory', 'ENOTDIR'],
    { setup: textFile },
  ),
  bad(
    'overwrite-number',
    'runs.export',
    (f, c) => ({
      project: f.project,
      runId: f.runId,
      directory: c.dir,
      overwrite: 1,
    }),
    ['overwrite'],
  ),
  bad(
    'kind-unknown',
    'runs.exportFile',
    (f) => ({ project: f.project, runId: f.runId, kind: 'weights' }),
    ['kind'],
  ),
  bad(
    'tensor-empty',
    'runs.exportFile',
    (f) => ({
      project: f.project,
      runId: f.runId,
      kind: 'model',
      tensor: '',
    }),
    ['tensor'],
  ),
  bad(
    'npy-of-json',
    'runs.exportFile',
    (f) => ({
      project: f.project,
      runId: f.runId,
      kind: 'run-json',
      format: 'npy',
    }),
    ['format'],
  ),
  bad(
    'no-results',
    'runs.exportFile',
    (f) => ({ project: f.project, runId: f.runId, kind: 'model' }),
    ['no model'],
    { errorCode: 'NOT_FOUND' },
  ),
  bad('unknown-key', 'runs.exportList', (f) => ({ project: f.project, runId: f.runId, all: 1 }), [
    'all',
  ]),
]

const otherCommands: MalformedCase[] = [
  bad(
    'input-negative',
    'inputs.jacobians',
    (f) => ({ project: f.project, runId: f.runId, input: -1 }),
    ['input'],
  ),
  bad(
    'input-string',
    'inputs.jacobians',
    (f) => ({ project: f.project, runId: f.runId, input: 'a' }),
    ['input'],
  ),
  bad('limit-zero', 'inputs.list', (f) => ({ project: f.project, runId: f.runId, limit: 0 }), [
    'limit',
  ]),
  bad('limit-high', 'inputs.list', (f) => ({ project: f.project, runId: f.runId, limit: 501 }), [
    'limit',
  ]),
  bad('label-high', 'inputs.list', (f) => ({ project: f.project, runId: f.runId, label: 256 }), [
    'label',
  ]),
  bad(
    'offset-negative',
    'inputs.list',
    (f) => ({ project: f.project, runId: f.runId, offset: -1 }),
    ['offset'],
  ),
  bad(
    'layer-zero',
    'inputs.mostChanged',
    (f) => ({ project: f.project, runId: f.runId, layer: 0 }),
    ['layer'],
  ),
  bad(
    'metric-unknown',
    'inputs.mostChanged',
    (f) => ({
      project: f.project,
      runId: f.runId,
      layer: 1,
      metric: 'l2',
    }),
    ['metric'],
  ),
  bad(
    'order-unknown',
    'inputs.mostChanged',
    (f) => ({
      project: f.project,
      runId: f.runId,
      layer: 1,
      order: 'up',
    }),
    ['order'],
  ),
  bad('no-layer', 'inputs.cancelRanking', (f) => ({ project: f.project, runId: f.runId }), [
    'layer',
  ]),
  bad('artifact-zero', 'artifacts.get', (f) => ({ project: f.project, artifactId: 0 }), [
    'artifactId',
  ]),
  bad(
    'artifact-missing',
    'artifacts.get',
    (f) => ({ project: f.project, artifactId: 99_999 }),
    ['artifact 99999'],
    { errorCode: 'NOT_FOUND' },
  ),
  bad('no-project', 'artifacts.list', (f) => ({ runId: f.runId }), ['project']),
  bad('job-empty', 'jobs.cancel', () => ({ jobId: '' }), ['jobId']),
  bad(
    'job-unknown',
    'jobs.cancel',
    () => ({ jobId: 'job-that-never-was' }),
    ['job-that-never-was'],
    {
      errorCode: 'NOT_FOUND',
    },
  ),
  bad('unknown-key', 'jobs.list', () => ({ state: 'running' }), ['state']),
  bad('unknown-key', 'app.info', () => ({ verbose: true }), ['verbose']),
  bad('unknown-key', 'config.defaults', () => ({ preset: 'fast' }), ['preset']),
  bad('unknown-key', 'config.presets', () => ({ dir: '/' }), ['dir']),
  bad('unknown-key', 'config.validate', () => ({ config: {}, strict: true }), ['strict']),
]

export const cases: MalformedCase[] = [
  ...envelopes,
  ...unknownCommands,
  ...projectCommands,
  ...runCommands,
  ...otherCommands,
]
