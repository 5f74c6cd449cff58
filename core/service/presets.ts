import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readJsonObject } from '../data/read-file.ts'

export const DEFAULT_PRESETS_DIR = fileURLToPath(
  new URL('../../resources/presets', import.meta.url),
)

/** Presets in file-name order; each is a partial run config with a display `name`. */
export function readPresets(dir: string): { id: string; name: string; config: unknown }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const config = readJsonObject(join(dir, f), 'INVALID_FILE', 'a preset')
      const id = f.slice(0, -'.json'.length)
      return { id, name: typeof config.name === 'string' ? config.name : id, config }
    })
}
