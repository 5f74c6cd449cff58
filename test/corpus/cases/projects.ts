import crypto from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { main } from '../../../core/host/cli.ts'
import { BasiscopeService } from '../../../core/service/service.ts'
import { createProject } from '../../../core/store/project-store.ts'
import { leaveUnfinishedWrite } from '../../helpers/store-fixtures.ts'
import type { CaseContext, MalformedCase, Outcome } from '../corpus.ts'

/**
 * Project files (issue 13: trust-store): files that are not SQLite, damaged or truncated
 * databases, SQLite files of other programs, wrong schema versions, missing tables and
 * columns, rows that do not hold what they should, files that are not regular, paths that
 * do not exist, unfinished writes. Each is fed to one of the real ways a file comes in:
 * `basiscope projects show FILE` (the CLI's main, in-process), the service's projects.open,
 * projects.import and projects.restore. Refused, naming the file (and the row and column),
 * nothing under the case's folder changed: so neither a failed open nor an import writes
 * beside the file (D10, D13).
 */

const NAME = 'p.basiscope'
const fileOf = (ctx: CaseContext, name = NAME) => path.join(ctx.dir, name)

// How a case feeds its file.

async function show(file: string): Promise<Outcome> {
  let stdout = ''
  let stderr = ''
  const code = await main(['projects', 'show', file], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
  })
  return { kind: 'cli', code, stdout, stderr }
}

let shared: BasiscopeService | null = null
/** One service for the cases of this file, its workspace outside every case's folder. */
function service(): BasiscopeService {
  if (!shared) {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-store-corpus-'))
    shared = new BasiscopeService({
      workspaceDir: workspace,
      exportDir: workspace,
      recordRecents: false,
    })
  }
  return shared
}

let nextId = 1
async function ask(command: string, params: unknown, on = service()): Promise<Outcome> {
  return { kind: 'reply', reply: await on.handle({ id: nextId++, command, params }) }
}

const open = (file: string) => ask('projects.open', { path: file })
const importing = (file: string) => ask('projects.import', { source: file })

/** projects.restore in a service whose workspace is the case's folder (its trash in it). */
async function restore(ctx: CaseContext, ref: string): Promise<Outcome> {
  const s = new BasiscopeService({
    workspaceDir: ctx.dir,
    exportDir: ctx.dir,
    recordRecents: false,
  })
  try {
    return await ask('projects.restore', { path: ref }, s)
  } finally {
    await s.close()
  }
}

type Feed = 'show' | 'open' | 'import'
const FEEDS: Record<Feed, (file: string) => Promise<Outcome>> = { show, open, import: importing }

// The files.

/** A sound closed project: one completed run with a tag, a metric and an artifact. */
function project(file: string): void {
  const store = createProject(file, 'Corpus')
  const run = store.createRun({ name: 'r', config: { a: 1 }, seed: 1, configSummary: {} })
  store.updateRun(run.id, { status: 'completed', summary: { ok: true }, keyMetrics: { x: 1 } })
  store.setTags(run.id, ['t'])
  store.appendMetrics(run.id, [{ key: 'loss', step: 0, wallTime: 0, value: 1 }])
  store.addArtifact(
    run.id,
    'rotation',
    'R1',
    { layer: 1 },
    {
      dtype: 'float32',
      shape: [2, 2],
      data: new Float32Array([1, 0, 0, 1]),
    },
  )
  store.close()
}

/** A sound project, then changed with plain SQL (no checks, no foreign keys). */
function projectWith(sql: string, pragmas: readonly string[] = []) {
  return (ctx: CaseContext) => {
    const file = fileOf(ctx)
    project(file)
    const db = new Database(file)
    try {
      for (const p of pragmas) db.pragma(p)
      db.exec(sql)
    } finally {
      db.close()
    }
  }
}

/** An SQLite file made by `sql` alone (not by Basiscope). */
function sqlite(sql: string, name = NAME) {
  return (ctx: CaseContext) => {
    const db = new Database(fileOf(ctx, name))
    try {
      db.exec(sql)
    } finally {
      db.close()
    }
  }
}

const bytes =
  (content: Buffer | string, name = NAME) =>
  (ctx: CaseContext) =>
    fs.writeFileSync(fileOf(ctx, name), content)

/** The first `n` bytes of a sound project (or `fraction` of it). */
function truncated(keep: (size: number) => number) {
  return (ctx: CaseContext) => {
    const file = fileOf(ctx)
    project(file)
    fs.truncateSync(file, keep(fs.statSync(file).size))
  }
}

/** A valid SQLite header followed by `rest`. */
const afterHeader = (rest: Buffer) =>
  bytes(Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), rest]))

function scribbled(ctx: CaseContext): void {
  const file = fileOf(ctx)
  project(file)
  const size = fs.statSync(file).size
  const fd = fs.openSync(file, 'r+')
  // Every page after the first: the schema still reads, the tables do not.
  const seeded = crypto.createHash('sha512').update('corpus').digest()
  for (let at = 4096; at < size; at += seeded.length) fs.writeSync(fd, seeded, 0, seeded.length, at)
  fs.closeSync(fd)
}

/** A file (with a project's content) whose header bytes at `offset` are replaced. */
function headerBytes(offset: number, value: Buffer) {
  return (ctx: CaseContext) => {
    const file = fileOf(ctx)
    project(file)
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, value, 0, value.length, offset)
    fs.closeSync(fd)
  }
}

/**
 * A fresh folder outside every case's folder for symbolic links the corpus runner's
 * snapshot (which follows links) could not stat.
 */
const links = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'trust-store-corpus-links-'))

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')
const ZIP = Buffer.from('504b03041400000008000000210000000000000000000000000000000000', 'hex')

interface Spec {
  readonly id: string
  readonly feed: Feed
  readonly setup?: (ctx: CaseContext) => void | Promise<void>
  /** The file given (default ctx.dir/p.basiscope). */
  readonly file?: (ctx: CaseContext) => string
  /** Besides the file's name, what the message must say. */
  readonly says?: readonly (string | RegExp)[]
  /** Whether the message must name p.basiscope (not for paths outside the case's folder). */
  readonly namesFile?: boolean
}

function fed(spec: Spec): MalformedCase {
  const file = spec.file ?? ((ctx: CaseContext) => fileOf(ctx))
  return {
    id: `project/${spec.feed}/${spec.id}`,
    setup: spec.setup,
    run: (ctx) => FEEDS[spec.feed](file(ctx)),
    mentions: [...(spec.namesFile === false ? [] : [NAME]), ...(spec.says ?? [])],
  }
}

const NOT_SQLITE = /not an SQLite database/
const DAMAGED = /damaged/
const NOT_PROJECT = /not a Basiscope project/

/** Files that are not project files at all, or not files. */
const notProjects: Spec[] = [
  { id: 'text', feed: 'show', setup: bytes('hello, I am a note\n'), says: [NOT_SQLITE] },
  { id: 'empty', feed: 'show', setup: bytes(''), says: [/is empty/] },
  {
    id: 'random-bytes',
    feed: 'show',
    setup: bytes(crypto.createHash('sha256').update('r').digest().toString('hex').repeat(64)),
    says: [NOT_SQLITE],
  },
  { id: 'png-header', feed: 'show', setup: bytes(PNG), says: [NOT_SQLITE] },
  { id: 'json-config', feed: 'open', setup: bytes('{"model":{"epochs":3}}'), says: [NOT_SQLITE] },
  { id: 'zip-archive', feed: 'import', setup: bytes(ZIP), says: [NOT_SQLITE] },
  {
    id: 'gzip-of-a-project',
    feed: 'open',
    setup: (ctx) => {
      const file = fileOf(ctx, 'plain.tmp')
      project(file)
      const gz = execFileSync('gzip', ['-c', file])
      fs.rmSync(file)
      fs.writeFileSync(fileOf(ctx), gz)
    },
    says: [NOT_SQLITE],
  },
  {
    id: 'utf16-text',
    feed: 'import',
    setup: bytes(Buffer.from('\ufeffSQLite format 3 is what this is not', 'utf16le')),
    says: [NOT_SQLITE],
  },
  {
    id: 'sqlite-magic-only',
    feed: 'show',
    setup: bytes(Buffer.from('SQLite format 3\0', 'latin1')),
    says: [/shorter than an SQLite header/],
  },
  {
    id: 'header-then-garbage',
    feed: 'open',
    setup: afterHeader(Buffer.alloc(4080, 0xa5)),
    says: [DAMAGED],
  },
  {
    id: 'bad-page-size',
    feed: 'show',
    setup: headerBytes(16, Buffer.from([0x00, 0x03])),
    says: [DAMAGED],
  },
  { id: 'folder', feed: 'show', setup: (ctx) => fs.mkdirSync(fileOf(ctx)), says: [/folder/] },
  { id: 'folder', feed: 'import', setup: (ctx) => fs.mkdirSync(fileOf(ctx)), says: [/folder/] },
  {
    id: 'fifo',
    feed: 'show',
    setup: (ctx) => void execFileSync('mkfifo', [fileOf(ctx)]),
    says: [/not a regular file/],
  },
  {
    id: 'fifo',
    feed: 'open',
    setup: (ctx) => void execFileSync('mkfifo', [fileOf(ctx)]),
    says: [/not a regular file/],
  },
  {
    id: 'dev-zero',
    feed: 'show',
    file: () => '/dev/zero',
    says: ['/dev/zero', /not a regular file/],
    namesFile: false,
  },
  {
    id: 'dev-null',
    feed: 'import',
    file: () => '/dev/null',
    says: ['/dev/null', /not a regular file/],
    namesFile: false,
  },
  { id: 'missing', feed: 'show', says: [/does not exist/] },
  { id: 'missing', feed: 'import', says: [/does not exist/] },
  {
    id: 'missing-folder',
    feed: 'open',
    file: (ctx) => path.join(ctx.dir, 'no-such-folder', NAME),
    says: [/does not exist/],
  },
  {
    id: 'dangling-symlink',
    feed: 'show',
    file: () => {
      const link = path.join(links(), 'dangling.basiscope')
      fs.symlinkSync(path.join(links(), 'gone.basiscope'), link)
      return link
    },
    says: ['dangling.basiscope', /does not exist/],
    namesFile: false,
  },
  {
    id: 'symlink-loop',
    feed: 'open',
    file: () => {
      const [a, b] = [path.join(links(), 'a.basiscope'), path.join(links(), 'b.basiscope')]
      fs.symlinkSync(b, a)
      fs.symlinkSync(a, b)
      return a
    },
    says: ['a.basiscope', /cannot be read/],
    namesFile: false,
  },
]

/** SQLite files that are damaged or are not Basiscope projects. */
const notOurs: Spec[] = [
  {
    id: 'truncated-half',
    feed: 'show',
    setup: truncated((n) => Math.floor(n / 2)),
    says: [DAMAGED],
  },
  { id: 'truncated-one-page', feed: 'open', setup: truncated(() => 4096), says: [DAMAGED] },
  {
    id: 'truncated-mid-page',
    feed: 'import',
    setup: truncated((n) => n - 1000),
    says: [/cut off/],
  },
  { id: 'truncated-last-page', feed: 'show', setup: truncated((n) => n - 4096), says: [/cut off/] },
  { id: 'scribbled-pages', feed: 'open', setup: scribbled, says: [DAMAGED] },
  {
    id: 'another-app',
    feed: 'show',
    setup: sqlite('CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)'),
    says: [NOT_PROJECT, /missing tables: project, runs/],
  },
  {
    id: 'empty-database',
    feed: 'open',
    setup: sqlite('PRAGMA user_version = 0'),
    says: [NOT_PROJECT],
  },
  {
    id: 'another-app-with-version',
    feed: 'import',
    setup: sqlite('CREATE TABLE t (x); PRAGMA user_version = 3'),
    says: [/missing tables: project/],
  },
  {
    id: 'tables-without-version',
    feed: 'open',
    setup: projectWith('PRAGMA user_version = 0'),
    says: [/no schema version/],
  },
  {
    id: 'future-schema',
    feed: 'show',
    setup: projectWith('PRAGMA user_version = 99'),
    says: [/newer Basiscope.*99/],
  },
  {
    id: 'negative-schema',
    feed: 'open',
    setup: projectWith('PRAGMA user_version = -1'),
    says: [/invalid schema version -1/],
  },
  {
    id: 'future-schema',
    feed: 'import',
    setup: projectWith('PRAGMA user_version = 7'),
    says: [/newer Basiscope/],
  },
  {
    id: 'no-runs-table',
    feed: 'show',
    setup: projectWith(
      'DROP TABLE tags; DROP TABLE metrics; DROP TABLE artifacts; DROP TABLE runs',
    ),
    says: [/missing tables: .*runs/],
  },
  {
    id: 'no-artifacts-table',
    feed: 'open',
    setup: projectWith('DROP TABLE artifacts'),
    says: [/missing tables: artifacts/],
  },
  {
    id: 'no-project-table',
    feed: 'import',
    setup: projectWith('DROP TABLE project'),
    says: [/missing tables: project/],
  },
  {
    id: 'runs-is-a-view',
    feed: 'open',
    setup: projectWith(
      'DROP TABLE tags; DROP TABLE metrics; DROP TABLE artifacts; DROP TABLE runs; CREATE VIEW runs AS SELECT 1 AS id',
    ),
    says: [/missing tables: .*runs/],
  },
  {
    id: 'runs-without-config-column',
    feed: 'show',
    setup: projectWith('ALTER TABLE runs DROP COLUMN config'),
    says: [/table runs has no column config/],
  },
  {
    id: 'artifacts-without-data-column',
    feed: 'open',
    setup: projectWith('ALTER TABLE artifacts DROP COLUMN data'),
    says: [/table artifacts has no column data/],
  },
  {
    id: 'metrics-without-value-column',
    feed: 'import',
    setup: projectWith('ALTER TABLE metrics DROP COLUMN value'),
    says: [/table metrics has no column value/],
  },
  {
    id: 'no-project-id',
    feed: 'show',
    setup: projectWith("DELETE FROM project WHERE key = 'id'"),
    says: [/no id or no name/],
  },
  {
    id: 'no-project-name',
    feed: 'open',
    setup: projectWith("DELETE FROM project WHERE key = 'name'"),
    says: [/no id or no name/],
  },
  {
    id: 'project-name-a-blob',
    feed: 'import',
    setup: projectWith("UPDATE project SET value = x'00ff' WHERE key = 'name'"),
    says: [/no id or no name/],
  },
]

/** A sound project whose rows `sql` spoils: an import must refuse it, saying `says`. */
const spoiled = (id: string, sql: string, says: (string | RegExp)[], pragmas?: string[]): Spec => ({
  id,
  feed: 'import',
  setup: projectWith(sql, pragmas),
  says,
})
const NO_FOREIGN_KEYS = ['foreign_keys = OFF']

/** Sound files whose rows do not hold what they should: an import takes none of them. */
const badRows: Spec[] = [
  ...['config', 'config_summary', 'key_metrics', 'summary'].map((column) =>
    spoiled(`runs-${column}-not-json`, `UPDATE runs SET ${column} = '{"cut": ' WHERE id = 1`, [
      'run 1',
      `runs.${column}`,
      /not valid JSON/,
    ]),
  ),
  spoiled('runs-config-a-blob', "UPDATE runs SET config = x'7b7d'", ['run 1', 'runs.config']),
  spoiled('runs-summary-nan', `UPDATE runs SET summary = '{"x": NaN}'`, ['run 1', 'runs.summary']),
  spoiled('artifacts-meta-not-json', "UPDATE artifacts SET meta = 'layer: 1'", [
    'artifact 1',
    'artifacts.meta',
  ]),
  spoiled('artifacts-shape-not-json', "UPDATE artifacts SET shape = '[2, 2'", [
    'artifact 1',
    'artifacts.shape',
  ]),
  spoiled('runs-name-a-blob', "UPDATE runs SET name = x'deadbeef'", [
    'run 1',
    'runs.name',
    /not text/,
  ]),
  spoiled('runs-seed-text', "UPDATE runs SET seed = 'one'", [
    'run 1',
    'runs.seed',
    /not an integer/,
  ]),
  spoiled(
    'runs-status-unknown',
    "UPDATE runs SET status = 'exploded'",
    ['run 1', 'runs.status', /not a run status/],
    ['ignore_check_constraints = ON'],
  ),
  spoiled('tags-tag-a-blob', "UPDATE tags SET tag = x'01'", ['run 1', 'tags.tag']),
  spoiled(
    'artifact-of-no-run',
    'UPDATE artifacts SET run_id = 42',
    [/artifacts refers to a row of runs that does not exist/],
    NO_FOREIGN_KEYS,
  ),
  spoiled(
    'metric-of-no-run',
    'UPDATE metrics SET run_id = -3',
    [/metrics refers to a row of runs/],
    NO_FOREIGN_KEYS,
  ),
  spoiled(
    'tag-of-no-run',
    "INSERT INTO tags (run_id, tag) VALUES (7, 'orphan')",
    [/tags refers to a row of runs/],
    NO_FOREIGN_KEYS,
  ),
]

/** Unfinished writes: a -journal beside a file (left by a killed writer, or stray). */
const journals: Spec[] = [
  {
    id: 'journal-beside-text',
    feed: 'show',
    setup: (ctx) => {
      bytes('not a database')(ctx)
      bytes(Buffer.alloc(512, 0xd9), `${NAME}-journal`)(ctx)
    },
    says: [NOT_SQLITE],
  },
  {
    id: 'killed-writer-of-another-app',
    feed: 'open',
    setup: async (ctx) => {
      sqlite('CREATE TABLE notes (x)')(ctx)
      await leaveUnfinishedWrite(fileOf(ctx))
    },
    says: [NOT_PROJECT],
  },
  {
    id: 'killed-writer-of-another-app',
    feed: 'import',
    setup: async (ctx) => {
      sqlite('CREATE TABLE notes (x); PRAGMA user_version = 2')(ctx)
      await leaveUnfinishedWrite(fileOf(ctx))
    },
    says: [/missing tables/],
  },
  {
    id: 'killed-writer-future-schema',
    feed: 'show',
    setup: async (ctx) => {
      projectWith('PRAGMA user_version = 50')(ctx)
      await leaveUnfinishedWrite(fileOf(ctx))
    },
    says: [/newer Basiscope/],
  },
]

/** The file as `setup` leaves it, then in write-ahead-log mode at rest (no -wal, no -shm). */
const walAtRest = (setup: (ctx: CaseContext) => void) => (ctx: CaseContext) => {
  setup(ctx)
  const db = new Database(fileOf(ctx))
  db.pragma('journal_mode = WAL')
  db.close()
}

/** Files in WAL mode at rest: reading them in place would leave -wal/-shm beside them (D13). */
const walFiles: Spec[] = [
  {
    id: 'wal-at-rest-bad-row',
    feed: 'import',
    setup: walAtRest(projectWith("UPDATE runs SET key_metrics = '{' WHERE id = 1")),
    says: ['run 1', 'runs.key_metrics'],
  },
  {
    id: 'wal-at-rest-future-schema',
    feed: 'show',
    setup: walAtRest(projectWith('PRAGMA user_version = 9')),
    says: [/newer Basiscope/],
  },
  {
    id: 'wal-at-rest-another-app',
    feed: 'import',
    setup: walAtRest(sqlite('CREATE TABLE songs (x)')),
    says: [NOT_PROJECT],
  },
]

/** projects.restore: only a sound project in the workspace's trash comes back. */
const TRASHED = `.trash/p-2026-11-25T10-20-30-123Z.basiscope`
const inTrash = (setup: (ctx: CaseContext) => void) => (ctx: CaseContext) => {
  fs.mkdirSync(path.join(ctx.dir, '.trash'))
  setup({ dir: path.join(ctx.dir, '.trash') })
  fs.renameSync(path.join(ctx.dir, '.trash', NAME), path.join(ctx.dir, TRASHED))
}
const restoring = (
  id: string,
  setup: (ctx: CaseContext) => void,
  ref: string,
  says: (string | RegExp)[],
): MalformedCase => ({
  id: `project/restore/${id}`,
  setup,
  run: (ctx) => restore(ctx, ref.startsWith('/') ? path.join(ctx.dir, ref) : ref),
  mentions: says,
})

const restores: MalformedCase[] = [
  restoring('trashed-text', inTrash(bytes('scribbles')), path.basename(TRASHED), [
    'p-2026-11-25',
    /cannot be restored/,
    NOT_SQLITE,
  ]),
  restoring(
    'trashed-another-app',
    inTrash(sqlite('CREATE TABLE photos (x)')),
    path.basename(TRASHED),
    ['p-2026-11-25', /cannot be restored/, NOT_PROJECT],
  ),
  restoring(
    'trashed-future-schema',
    inTrash(projectWith('PRAGMA user_version = 12')),
    path.basename(TRASHED),
    ['p-2026-11-25', /newer Basiscope/],
  ),
  restoring('not-in-trash', bytes('x'), `/${NAME}`, [NAME, /not a project in the trash/]),
  restoring('missing', () => {}, 'gone-2026-11-25T10-20-30-123Z.basiscope', [
    'gone-2026',
    /does not exist/,
  ]),
  restoring(
    'wrong-extension',
    (ctx) => {
      fs.mkdirSync(path.join(ctx.dir, '.trash'))
      project(path.join(ctx.dir, '.trash', 'p.sqlite'))
    },
    'p.sqlite',
    ['p.sqlite', /not a project in the trash/],
  ),
  restoring('escapes-the-trash', (ctx) => project(path.join(ctx.dir, NAME)), `../${NAME}`, [
    NAME,
    /not a project in the trash/,
  ]),
]

export const cases: MalformedCase[] = [
  ...[...notProjects, ...notOurs, ...badRows, ...journals, ...walFiles].map(fed),
  ...restores,
]
