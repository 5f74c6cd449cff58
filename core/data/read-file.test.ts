import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { readFileBytes, readJsonFile } from './read-file.ts'

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

describe('readJsonFile', () => {
  it('parses JSON and names the file when it is not JSON, with the caller’s code', () => {
    const good = path.join(dir, 'ok.json')
    fs.writeFileSync(good, '{"a": [1, 2]}')
    expect(readJsonFile(good)).toEqual({ a: [1, 2] })
    const bad = path.join(dir, 'bad.json')
    fs.writeFileSync(bad, '{ a: 1 }')
    expect(() => readJsonFile(bad)).toThrow(
      expect.objectContaining({ code: 'INVALID_FILE', where: bad }),
    )
    expect(() => readJsonFile(bad, 'INVALID_CONFIG')).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringContaining(`${bad}: not valid JSON`),
      }),
    )
    expect(() => readJsonFile(path.join(dir, 'none.json'))).toThrow('file not found')
  })
})
