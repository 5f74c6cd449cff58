import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../data/write-file.ts'

/** The recently opened projects, persisted as JSON and written atomically. */

export const MAX_RECENT = 20

export interface RecentProject {
  /** Absolute path of the project file. */
  readonly path: string
  /** The project's name when it was last opened. */
  readonly name: string
  /** ISO time it was last opened. */
  readonly openedAt: string
  /** Whether the file is still there. */
  readonly exists: boolean
}

const entrySchema = z.object({ path: z.string(), name: z.string(), openedAt: z.string() })
const fileSchema = z.object({ version: z.literal(1), recent: z.array(z.unknown()) })
type Entry = z.infer<typeof entrySchema>

export class RecentList {
  readonly file: string
  readonly max: number

  constructor(file: string, max = MAX_RECENT) {
    this.file = path.resolve(file)
    this.max = max
  }

  /** Entries as stored, most recent first. A missing or unreadable list counts as empty. */
  private read(): Entry[] {
    let raw: unknown
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'))
    } catch {
      return []
    }
    const parsed = fileSchema.safeParse(raw)
    if (!parsed.success) return []
    const entries: Entry[] = []
    for (const item of parsed.data.recent) {
      const entry = entrySchema.safeParse(item)
      if (entry.success) entries.push(entry.data)
    }
    return entries
  }

  private write(entries: readonly Entry[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    const text = JSON.stringify({ version: 1, recent: entries.slice(0, this.max) }, null, 2)
    writeFileAtomic(this.file, `${text}\n`)
  }

  /** Most recent first, at most `max`. */
  list(): RecentProject[] {
    return this.read()
      .slice(0, this.max)
      .map((e) => ({ ...e, exists: fs.existsSync(e.path) }))
  }

  /** Moves (or adds) `file` to the top. */
  add(file: string, name: string, openedAt = new Date().toISOString()): void {
    const abs = path.resolve(file)
    const rest = this.read().filter((e) => e.path !== abs)
    this.write([{ path: abs, name, openedAt }, ...rest])
  }

  /** Follows a project that moved (renamed); keeps its place in the list. */
  move(from: string, to: string, name?: string): void {
    const src = path.resolve(from)
    const dest = path.resolve(to)
    const entries = this.read()
    if (!entries.some((e) => e.path === src)) return
    this.write(
      entries
        .filter((e) => e.path !== dest || dest === src)
        .map((e) => (e.path === src ? { ...e, path: dest, name: name ?? e.name } : e)),
    )
  }

  remove(file: string): void {
    const abs = path.resolve(file)
    const entries = this.read()
    if (entries.some((e) => e.path === abs)) this.write(entries.filter((e) => e.path !== abs))
  }
}
