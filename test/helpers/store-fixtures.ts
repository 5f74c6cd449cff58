import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import Database from 'better-sqlite3'
import { MIGRATIONS, runMigrations } from '../../core/store/migrations.ts'
import { createProject } from '../../core/store/project-store.ts'

/** Project-file fixtures shared by the store's tests. */

const require = createRequire(import.meta.url)

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** A closed project with a few hundred KB of runs, metrics and artifacts over many pages. */
export function projectWithData(file: string, name = 'Data'): void {
  const store = createProject(file, name)
  for (let r = 0; r < 3; r++) {
    const run = store.createRun({ name: `r${r}`, config: { r }, seed: r, configSummary: {} })
    store.appendMetrics(
      run.id,
      Array.from({ length: 2000 }, (_, step) => ({
        key: 'loss',
        step,
        wallTime: step,
        value: 1 / (step + 1),
      })),
    )
    store.addArtifact(
      run.id,
      'rotation',
      'R',
      { r },
      {
        dtype: 'float32',
        shape: [128, 128],
        data: new Float32Array(128 * 128).map((_, i) => i * 0.001 + r),
      },
    )
  }
  store.close()
}

/** Damages a closed project file by overwriting three pages in its middle with random bytes. */
export function scribbleMiddle(file: string): void {
  const size = fs.statSync(file).size
  const pageSize = 4096
  const middle = Math.floor(size / pageSize / 2) * pageSize
  const fd = fs.openSync(file, 'r+')
  try {
    fs.writeSync(fd, crypto.randomBytes(pageSize * 3), 0, pageSize * 3, middle)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * A project file as an older Basiscope wrote it: the first `version` migrations, the
 * project's facts and one completed run (notes 'kept'); `more` adds what that version had.
 */
export function olderProject(
  file: string,
  version: number,
  more: (db: Database.Database) => void = () => {},
): void {
  const db = new Database(file)
  try {
    runMigrations(db, file, MIGRATIONS.slice(0, version))
    const insert = db.prepare('INSERT INTO project (key, value) VALUES (?, ?)')
    for (const [k, v] of [
      ['id', 'old-id'],
      ['name', 'Old'],
      ['created_at', '2026-11-25T00:00:00.000Z'],
    ])
      insert.run(k, v)
    db.prepare(
      `INSERT INTO runs (name, status, created_at, config, seed, app_version, notes)
       VALUES ('r', 'completed', 't', '{}', 1, '0.1.0', 'kept')`,
    ).run()
    more(db)
  } finally {
    db.close()
  }
}

/** The program `leaveUnfinishedWrite` runs: a rollback-journal writer that never commits. */
const UNFINISHED_WRITER = `
const Database = require(process.argv[1])
const db = new Database(process.argv[2], { fileMustExist: true })
db.pragma('journal_mode = DELETE')
db.pragma('cache_size = 1') // spill changed pages into the file before the commit
db.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS scratch (x)')
const insert = db.prepare('INSERT INTO scratch VALUES (?)')
for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500))
try {
  db.prepare("UPDATE project SET value = 'half-written' WHERE key = 'name'").run()
} catch {} // not a project
process.stdout.write('ready')
setInterval(() => {}, 1000)
`

/**
 * Leaves `file` as a killed writer does: a process changes it in rollback-journal mode,
 * changed pages already in the file, and is SIGKILLed before it commits. What remains is
 * the file and its hot `-journal`, which SQLite rolls back on the next write access. `file`
 * must be a closed SQLite file (a project's name is changed too).
 */
export function leaveUnfinishedWrite(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-e', UNFINISHED_WRITER, require.resolve('better-sqlite3'), file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.once('data', () => child.kill('SIGKILL'))
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && fs.existsSync(`${file}-journal`)) resolve()
      else reject(new Error(`the writer did not leave a journal: ${stderr}`))
    })
  })
}

/** A closed project whose header says write-ahead-log mode, with no -wal or -shm (at rest). */
export function walModeAtRest(file: string): void {
  createProject(file, 'Wal').close()
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.close()
  if (fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-shm`)) {
    throw new Error('the WAL files stayed')
  }
}
