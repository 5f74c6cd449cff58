import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  fileTimestamp,
  removeDbFile,
  sameFile,
  sidecarsOf,
  tempPathFor,
  uniquePath,
} from './files.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-store-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('file helpers', () => {
  it('makes timestamps safe for file names', () => {
    expect(fileTimestamp(new Date('2026-11-25T10:20:30.123Z'))).toBe('2026-11-25T10-20-30-123Z')
  })

  it('names temporary files that are never project files', () => {
    const tmp = tempPathFor(path.join(dir, 'a.basiscope'))
    expect(tmp.startsWith(path.join(dir, 'a.basiscope.tmp-'))).toBe(true)
    expect(tmp.endsWith('.basiscope')).toBe(false)
  })

  it('finds unique paths', () => {
    expect(uniquePath(dir, 'u', '.basiscope')).toBe(path.join(dir, 'u.basiscope'))
    fs.writeFileSync(path.join(dir, 'u.basiscope'), '')
    fs.writeFileSync(path.join(dir, 'u-2.basiscope'), '')
    expect(uniquePath(dir, 'u', '.basiscope')).toBe(path.join(dir, 'u-3.basiscope'))
  })

  it('recognises the same file through links and different spellings', () => {
    const file = path.join(dir, 'same.db')
    fs.writeFileSync(file, 'x')
    const link = path.join(dir, 'same-link.db')
    fs.symlinkSync(file, link)
    const hard = path.join(dir, 'same-hard.db')
    fs.linkSync(file, hard)
    expect(sameFile(file, path.join(dir, '.', 'sub', '..', 'same.db'))).toBe(true)
    expect(sameFile(file, link)).toBe(true)
    expect(sameFile(file, hard)).toBe(true)
    expect(sameFile(file, path.join(dir, 'other.db'))).toBe(false)
  })

  it('removes a database file with its companions', () => {
    const file = path.join(dir, 'gone.db')
    for (const f of [file, ...sidecarsOf(file)]) fs.writeFileSync(f, '')
    removeDbFile(file)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('gone'))).toEqual([])
    removeDbFile(file) // absent: no error
  })
})
