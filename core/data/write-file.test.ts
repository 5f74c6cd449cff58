import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { writeFileAtomic, writeJsonAtomic } from './write-file.ts'

describe('atomic writes', () => {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'basiscope-write-'))

  it('writes atomically and leaves no temporary file', () => {
    const file = path.join(dir, 'atomic.json')
    writeFileAtomic(file, 'one')
    writeFileAtomic(file, Buffer.from('two'))
    expect(fs.readFileSync(file, 'utf8')).toBe('two')
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('atomic'))).toEqual(['atomic.json'])
  })

  it('writes JSON, and a failure names the file and keeps what was there', () => {
    const file = path.join(dir, 'value.json')
    writeJsonAtomic(file, { a: 1 })
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ a: 1 })
    const missing = path.join(dir, 'no-such-folder', 'x.json')
    expect(() => writeJsonAtomic(missing, 1)).toThrow(BasiscopeError)
    expect(() => writeJsonAtomic(missing, 1)).toThrow(/no-such-folder/)
    expect(fs.readFileSync(file, 'utf8')).toContain('"a": 1')
  })
})
