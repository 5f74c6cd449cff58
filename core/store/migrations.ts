import fs from 'node:fs'
import type Database from 'better-sqlite3'
import { BasiscopeError, fileError } from '../errors.ts'
import { vacuumCopy } from './backup.ts'
import { fileTimestamp } from './files.ts'

/**
 * The project-file schema as an ordered, append-only list of migrations. `PRAGMA
 * user_version` holds the number of migrations applied. Never edit, rename or reorder a
 * released migration: append a new one named by its date.
 */
export interface Migration {
  /** `YYYY-MM-DD-what`, e.g. '2026-11-25-initial'. */
  readonly id: string
  /** Runs inside a transaction; must not change `user_version` or `foreign_keys` itself. */
  up(db: Database.Database): void
}

/** Tables every schema version has (migrations may add tables but never drop these). */
export const REQUIRED_TABLES: readonly string[] = [
  'project',
  'runs',
  'tags',
  'metrics',
  'artifacts',
]

const initial: Migration = {
  id: '2026-11-25-initial',
  up(db) {
    db.exec(`
      -- Key/value facts about the project: id, name, created_at, app_version, updated_at.
      CREATE TABLE project (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL
          CHECK (status IN ('queued', 'running', 'completed', 'cancelled', 'failed', 'interrupted')),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        config TEXT NOT NULL,               -- JSON
        seed INTEGER NOT NULL,
        backend TEXT,
        app_version TEXT NOT NULL,
        tfjs_version TEXT,
        dataset_sha256 TEXT,
        error TEXT,
        notes TEXT NOT NULL DEFAULT '',
        config_summary TEXT NOT NULL DEFAULT '{}', -- JSON
        key_metrics TEXT NOT NULL DEFAULT '{}',    -- JSON
        summary TEXT                               -- JSON
      );

      CREATE TABLE tags (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      );
      CREATE INDEX tags_by_tag ON tags (tag);

      -- value NULL stands for NaN (SQLite stores NaN as NULL).
      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        step REAL NOT NULL,
        wall_time REAL NOT NULL,
        value REAL
      );
      CREATE INDEX metrics_by_run_key_step ON metrics (run_id, key, step);

      CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT 'null',  -- JSON
        dtype TEXT,
        shape TEXT,                         -- JSON
        data BLOB,                          -- little-endian elements
        bytes INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX artifacts_by_run ON artifacts (run_id);

      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sizes TEXT NOT NULL,                -- JSON
        activation TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT 'null'   -- JSON
      );
      CREATE INDEX models_by_run ON models (run_id);

      CREATE TABLE model_tensors (
        model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        dtype TEXT NOT NULL,
        shape TEXT NOT NULL,                -- JSON
        data BLOB NOT NULL,                 -- little-endian elements
        PRIMARY KEY (model_id, name)
      );
    `)
  },
}

/** The saved-model tables were never used: runs keep their weights as artifacts. */
const dropSavedModels: Migration = {
  id: '2026-12-01-drop-saved-models',
  up(db) {
    db.exec('DROP TABLE model_tensors; DROP TABLE models;')
  },
}

/** Notes on the project (keys in `project`) and when a run's notes last changed. */
const notes: Migration = {
  id: '2026-12-01-notes',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN notes_updated_at TEXT;
      INSERT OR IGNORE INTO project (key, value) VALUES ('notes', '');
    `)
  },
}

/** Runs that belong together: one experiment over several model seeds (`config.seeds`). */
const runGroups: Migration = {
  id: '2026-12-01-run-groups',
  up(db) {
    db.exec('ALTER TABLE runs ADD COLUMN group_key TEXT')
  },
}

/**
 * What runs leave for later runs of the project (core/experiment/baseline-cache.ts): JSON
 * values under keys naming everything they depend on, e.g. a model's baselines. An entry
 * outlives the run that wrote it (the run id is kept for reference only).
 */
const sharedCache: Migration = {
  id: '2026-12-01-shared-cache',
  up(db) {
    db.exec(`
      CREATE TABLE cache_entries (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,                -- JSON
        run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
      );
    `)
  },
}

/**
 * Who runs each run (core/store/run-owner.ts): the owning process (host, pid, OS start mark,
 * random token) and the heartbeat it refreshes, so another process marks a run interrupted
 * only when its owner is gone. Null for runs from before: they have no live owner.
 */
const runOwners: Migration = {
  id: '2026-12-02-run-owners',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN owner_host TEXT;
      ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE runs ADD COLUMN owner_started TEXT;
      ALTER TABLE runs ADD COLUMN owner_token TEXT;
      ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
    `)
  },
}

/** All migrations, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  dropSavedModels,
  notes,
  runGroups,
  sharedCache,
  runOwners,
]

/** The schema version this Basiscope writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length

export interface MigrationResult {
  /** Schema version before. */
  readonly from: number
  /** Schema version after. */
  readonly to: number
  /** The copy made before migrating a file that had data, or null. */
  readonly backup: string | null
}

export interface MigrateOptions {
  /** Copy a file that already has data before migrating it (default true). */
  readonly backup?: boolean
}

/** The schema version of an open database (`PRAGMA user_version`). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function newerSchemaProblem(version: number, known: number): string {
  return `was written by a newer Basiscope (schema version ${version}, this one knows up to ${known}); update Basiscope to open it`
}

function checkMigrationList(migrations: readonly Migration[]): void {
  for (let i = 0; i < migrations.length; i++) {
    const id = migrations[i].id
    if (!/^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$/.test(id)) {
      throw new BasiscopeError('INTERNAL', `migration ${i + 1} has an invalid id '${id}'`)
    }
    if (i > 0 && !(migrations[i - 1].id < id)) {
      throw new BasiscopeError('INTERNAL', `migration '${id}' is out of order or repeated`)
    }
  }
}

/** Where the copy of a file at schema version `from` goes before it is migrated. */
export function backupPath(file: string, from: number): string {
  const base = `${file}.backup-v${from}-${fileTimestamp()}`
  let candidate = base
  for (let i = 2; fs.existsSync(candidate); i++) candidate = `${base}-${i}`
  return candidate
}

/**
 * Brings `db` (the open project `file`) up to `migrations.length`. A file from a newer
 * Basiscope is refused before anything is touched. A file that already has data (schema
 * version ≥ 1) is first copied to `<file>.backup-v<old>-<timestamp>`. Each migration runs
 * in its own transaction together with its `user_version` bump, so a failure leaves the
 * file at the last completed version.
 */
export function runMigrations(
  db: Database.Database,
  file: string,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): MigrationResult {
  checkMigrationList(migrations)
  const from = schemaVersion(db)
  const to = migrations.length
  if (from < 0) throw fileError(file, `has an invalid schema version ${from}`)
  if (from > to) throw fileError(file, newerSchemaProblem(from, to))
  if (from === to) return { from, to, backup: null }

  let backup: string | null = null
  if (from >= 1 && options.backup !== false) {
    backup = backupPath(file, from)
    vacuumCopy(db, backup)
  }
  for (let v = from; v < to; v++) {
    const migration = migrations[v]
    try {
      db.transaction(() => {
        migration.up(db)
        db.pragma(`user_version = ${v + 1}`)
      }).immediate()
    } catch (e) {
      const kept = backup ? `; a copy from before the upgrade is in ${backup}` : ''
      throw fileError(
        file,
        `could not be upgraded by migration ${migration.id} (${(e as Error).message}); it stays at schema version ${v}${kept}`,
        e,
      )
    }
  }
  return { from, to, backup }
}

/** Brings a project database up to this Basiscope's schema (see `runMigrations`). */
export function migrate(
  db: Database.Database,
  file: string,
  options: MigrateOptions = {},
): MigrationResult {
  return runMigrations(db, file, MIGRATIONS, options)
}
