import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_RECENT, RecentList } from './recents.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-store-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let counter = 0
function newList(): RecentList {
  return new RecentList(path.join(dir, `recent${++counter}`, 'recent.json'))
}

describe('RecentList', () => {
  it('starts empty, keeps the most recent first, without duplicates', () => {
    const list = newList()
    expect(list.list()).toEqual([])
    const a = path.join(dir, 'a.basiscope')
    const b = path.join(dir, 'b.basiscope')
    fs.writeFileSync(a, '')
    list.add(a, 'A', '2026-11-25T10:00:00.000Z')
    list.add(b, 'B', '2026-11-25T11:00:00.000Z')
    list.add(a, 'A2', '2026-11-25T12:00:00.000Z')
    expect(list.list()).toEqual([
      { path: a, name: 'A2', openedAt: '2026-11-25T12:00:00.000Z', exists: true },
      { path: b, name: 'B', openedAt: '2026-11-25T11:00:00.000Z', exists: false },
    ])
    // Persisted: a new instance reads the same list.
    expect(new RecentList(list.file).list()).toEqual(list.list())
  })

  it(`keeps at most ${MAX_RECENT}`, () => {
    const list = newList()
    for (let i = 0; i < 30; i++) list.add(path.join(dir, `p${i}.basiscope`), `P${i}`)
    const entries = list.list()
    expect(entries).toHaveLength(MAX_RECENT)
    expect(entries[0].name).toBe('P29')
    expect(entries[MAX_RECENT - 1].name).toBe('P10')
    const stored = JSON.parse(fs.readFileSync(list.file, 'utf8')) as { recent: unknown[] }
    expect(stored.recent).toHaveLength(MAX_RECENT)
  })

  it('writes atomically (no temporary files left) and survives a damaged file', () => {
    const list = newList()
    list.add(path.join(dir, 'x.basiscope'), 'X')
    expect(fs.readdirSync(path.dirname(list.file))).toEqual(['recent.json'])
    fs.writeFileSync(list.file, '{ not json')
    expect(list.list()).toEqual([])
    list.add(path.join(dir, 'y.basiscope'), 'Y')
    expect(list.list().map((e) => e.name)).toEqual(['Y'])
    fs.writeFileSync(
      list.file,
      JSON.stringify({
        version: 1,
        recent: [{ path: 3 }, { path: '/p', name: 'P', openedAt: 't' }],
      }),
    )
    expect(list.list().map((e) => e.name)).toEqual(['P'])
  })

  it('follows a moved project and forgets a removed one', () => {
    const list = newList()
    const a = path.join(dir, 'a.basiscope')
    const b = path.join(dir, 'b.basiscope')
    list.add(a, 'A', '2026-01-01T00:00:00.000Z')
    list.add(b, 'B', '2026-01-02T00:00:00.000Z')
    list.move(a, path.join(dir, 'renamed.basiscope'), 'Renamed')
    expect(list.list().map((e) => [path.basename(e.path), e.name])).toEqual([
      ['b.basiscope', 'B'],
      ['renamed.basiscope', 'Renamed'],
    ])
    list.remove(b)
    expect(list.list().map((e) => e.name)).toEqual(['Renamed'])
  })
})
