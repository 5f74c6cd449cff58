/** Project files: one SQLite file per project, and a workspace folder of them. */
export type {
  ModelInfo,
  NamedTensor,
  NewRun,
  ProjectStore,
  RunUpdate,
  StoredModel,
  StoredTensor,
} from './types.ts'
export {
  BUSY_TIMEOUT_MS,
  PROJECT_EXTENSION,
  SqliteProjectStore,
  createProject,
  openProject,
} from './project-store.ts'
export type { OpenProjectOptions } from './project-store.ts'
export {
  MIGRATIONS,
  REQUIRED_TABLES,
  SCHEMA_VERSION,
  migrate,
  runMigrations,
  schemaVersion,
} from './migrations.ts'
export type { MigrateOptions, Migration, MigrationResult } from './migrations.ts'
export { SQLITE_HEADER, validateProjectFile } from './validate.ts'
export type { IntegrityCheckLevel, ProjectFileFacts, ValidateOptions } from './validate.ts'
export { downsampleMinMax } from './downsample.ts'
export { RECENT_FILE, TRASH_DIR, Workspace, slugify } from './workspace.ts'
export type { DeleteOptions, WorkspaceProject } from './workspace.ts'
export { MAX_RECENT, RecentList } from './recents.ts'
export type { RecentProject } from './recents.ts'
