import type { Reply } from '../../core/api/contract.ts'

/**
 * The malformed-input corpus (issue 13): every case is one bad input — a config, a flag, a
 * model file, a split or IDX file, a project file, an API message — that must be refused
 * with a clear error naming the file or field, without modifying any file, crashing or
 * hanging. Cases are declared by area in ./cases/*.ts and run by corpus.test.ts.
 */

/** What running a case produced. */
export type Outcome =
  { kind: 'cli'; code: number; stdout: string; stderr: string } | { kind: 'reply'; reply: Reply }

export interface CaseContext {
  /** A fresh temporary folder for this case's files; every file in it is checked unchanged. */
  readonly dir: string
}

export interface MalformedCase {
  /** Unique, `area/what` (e.g. `config/root-array`). */
  readonly id: string
  /** Writes the case's files into ctx.dir (before the snapshot). */
  setup?(ctx: CaseContext): void | Promise<void>
  /** Feeds the bad input to the real code path (CLI `main` in-process, service.handle, …). */
  run(ctx: CaseContext): Promise<Outcome>
  /** Text (case-insensitive) or patterns the error message must contain: the file or field. */
  readonly mentions: readonly (string | RegExp)[]
  /** Expected CLI exit code (default 2) or reply error code (default: any but INTERNAL). */
  readonly exitCode?: number
  readonly errorCode?: string
  /** Files under ctx.dir the case may legitimately create (e.g. a refused run's nothing). */
  readonly mayCreate?: readonly string[]
}
