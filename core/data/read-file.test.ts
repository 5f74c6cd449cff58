import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { readFileBytes } from './read-file.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('readFileBytes', () => {
  it('reads a file', () => {
    const file = path.join(dir, 'a.bin')
    fs.writeFileSync(file, Buffer.from([1, 2, 3]))
    expect(Array.from(readFileBytes(file))).toEqual([1, 2, 3])
  })

  it('names a missing file', () => {
    const file = path.join(dir, 'missing.bin')
    let err: unknown
    try {
      readFileBytes(file)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(BasiscopeError)
    expect((err as BasiscopeError).code).toBe('INVALID_FILE')
    expect((err as BasiscopeError).where).toBe(file)
    expect((err as Error).message).toBe(`${file}: file not found`)
  })

  it('names a directory', () => {
    expect(() => readFileBytes(dir)).toThrow(`${dir}: is a directory, not a file`)
  })
})
