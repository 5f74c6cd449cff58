import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { thrown } from '../../test/helpers/errors.ts'
import { olderProject } from '../../test/helpers/store-fixtures.ts'
import { CACHE_VALUE_MAX_BYTES, readCacheEntries } from './cache-table.ts'
import { Connection } from './connection.ts'
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts'
import { createProject, openProject } from './project-store.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-cache-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
let counter = 0
const newFile = () => path.join(dir, `c${++counter}.basiscope`)

const CACHE_MIGRATION = MIGRATIONS.findIndex((m) => m.id === '2026-12-01-shared-cache')

const entry = (key: string, n: number) => ({ key, value: { rows: [{ layer: 1, n }], lib: null } })

describe('the project cache table', () => {
  it('is added to a project file from before it, which keeps its runs', () => {
    expect(CACHE_MIGRATION).toBeGreaterThan(0)
    const file = newFile()
    olderProject(file, CACHE_MIGRATION)
    const store = openProject(file)
    expect(store.info().schemaVersion).toBe(SCHEMA_VERSION)
    expect(store.listRuns().map((r) => r.name)).toEqual(['r'])
    expect(store.cacheEntries()).toEqual([])
    store.writeCacheEntry(entry('a', 1), 1)
    store.close()
    // The copy from before the upgrade is there, and the reopened file has the entry.
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${path.basename(file)}.backup-v`))).toBe(
      true,
    )
    const again = openProject(file)
    expect(again.cacheEntries(['a'])).toEqual([entry('a', 1)])
    again.close()
  })

  it('reads entries by key, replaces an entry under the same key, and keeps it without its run', () => {
    const store = createProject(newFile(), 'P')
    const run = store.createRun({ name: 'r', config: {}, seed: 0, configSummary: {} })
    store.writeCacheEntry(entry('a', 1), run.id)
    store.writeCacheEntry(entry('b', 2), null)
    expect(store.cacheEntries(['b', 'missing', 'a'])).toEqual([entry('b', 2), entry('a', 1)])
    store.writeCacheEntry(entry('a', 3), run.id)
    expect(store.cacheEntries(['a'])).toEqual([entry('a', 3)])
    // Newest first: 'a' was written last.
    expect(store.cacheEntries().map((e) => e.key)).toEqual(['a', 'b'])
    store.deleteRun(run.id)
    expect(store.cacheEntries(['a'])).toEqual([entry('a', 3)])
    store.close()
  })

  it('refuses a bad entry with an error naming it, and writes nothing', () => {
    const store = createProject(newFile(), 'P')
    expect(thrown(() => store.writeCacheEntry(entry('', 1), null)).message).toBe(
      'cache key must be a non-empty string',
    )
    expect(thrown(() => store.writeCacheEntry(entry('k', 1), 99)).message).toMatch(
      /run 99 does not exist/,
    )
    const big = { key: 'big', value: 'x'.repeat(CACHE_VALUE_MAX_BYTES) }
    const err = thrown(() => store.writeCacheEntry(big, null))
    expect(err.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toBe(
      `cache entry big is ${CACHE_VALUE_MAX_BYTES + 2} bytes of JSON; at most ${CACHE_VALUE_MAX_BYTES} are kept`,
    )
    expect(store.cacheEntries()).toEqual([])
    store.close()
  })

  it('hands out the newest entries within a size budget; a damaged entry is a miss', () => {
    const file = newFile()
    const store = createProject(file, 'P')
    for (let i = 0; i < 5; i++) store.writeCacheEntry(entry(`k${i}`, i), null)
    store.close()
    const db = new Database(file)
    db.prepare("UPDATE cache_entries SET value = '{not json' WHERE key = 'k3'").run()
    const c = new Connection(db, file)
    const size = Buffer.byteLength(JSON.stringify(entry('k0', 0).value))
    expect(readCacheEntries(c, undefined, 3 * size).map((e) => e.key)).toEqual(['k4', 'k2'])
    expect(readCacheEntries(c).map((e) => e.key)).toEqual(['k4', 'k2', 'k1', 'k0'])
    expect(readCacheEntries(c, ['k3', 'k1'])).toEqual([entry('k1', 1)])
    db.close()
  })
})
