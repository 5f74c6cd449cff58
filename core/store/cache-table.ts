import { type Connection, invalidArgument, nonEmptyName, now } from './connection.ts'
import { toJson } from './json.ts'
import type { CacheEntry } from './types.ts'

/**
 * The `cache_entries` table: results runs leave for later runs of the project (a model's
 * baselines, core/experiment/baseline-cache.ts). Entries are small JSON values; the cache is
 * an optimisation, so an entry that cannot be read back is a miss, never an error.
 */

/** The largest value one entry may hold, as JSON text. */
export const CACHE_VALUE_MAX_BYTES = 1024 * 1024
/** How much of the cache a run is handed by default: its newest entries up to this size. */
export const CACHE_READ_MAX_BYTES = 8 * 1024 * 1024

/** Adds or replaces the entry `key`, noting the run that wrote it; atomic. */
export function writeCacheEntry(c: Connection, entry: CacheEntry, runId: number | null): void {
  const key = nonEmptyName(entry.key, 'cache key')
  const text = toJson(entry.value, `cache entry ${key}`)
  const bytes = Buffer.byteLength(text)
  if (bytes > CACHE_VALUE_MAX_BYTES) {
    throw invalidArgument(
      `cache entry ${key} is ${bytes} bytes of JSON; at most ${CACHE_VALUE_MAX_BYTES} are kept`,
      key,
    )
  }
  c.db.transaction(() => {
    if (runId !== null) c.requireRun(runId)
    // REPLACE puts a rewritten entry in a new row: rowid order is the order of writes.
    c.stmt(
      'INSERT OR REPLACE INTO cache_entries (key, value, run_id, created_at) VALUES (?, ?, ?, ?)',
    ).run(key, text, runId, now())
  })()
}

/**
 * The entries under `keys` (those that exist), or without keys the newest entries whose JSON
 * adds up to at most `maxBytes`, newest first.
 */
export function readCacheEntries(
  c: Connection,
  keys?: readonly string[],
  maxBytes = CACHE_READ_MAX_BYTES,
): CacheEntry[] {
  const rows = keys
    ? keys.flatMap((key) => {
        const row = c.stmt('SELECT key, value FROM cache_entries WHERE key = ?').get(key)
        return row ? [row as Row] : []
      })
    : (c
        .stmt(
          `SELECT key, value FROM (
             SELECT key, value, rowid AS r,
               sum(length(CAST(value AS BLOB))) OVER (ORDER BY rowid DESC) AS upto
             FROM cache_entries)
           WHERE upto <= ? ORDER BY r DESC`,
        )
        .all(maxBytes) as Row[])
  return rows.flatMap((row) => {
    const value = parsedOrMissing(row.value)
    return value === MISSING ? [] : [{ key: row.key, value }]
  })
}

interface Row {
  key: string
  value: string
}

const MISSING = Symbol('missing')

function parsedOrMissing(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return MISSING
  }
}
