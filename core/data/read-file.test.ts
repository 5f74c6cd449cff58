import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { thrown } from '../../test/helpers/errors.ts'
import {
  MAX_JSON_BYTES,
  readFileBytes,
  readJsonFile,
  readJsonObject,
  resolveInside,
  withRegularFile,
} from './read-file.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const errorOf = thrown

describe('readFileBytes', () => {
  it('reads a file', () => {
    const file = path.join(dir, 'a.bin')
    fs.writeFileSync(file, Buffer.from([1, 2, 3]))
    expect(Array.from(readFileBytes(file, 10))).toEqual([1, 2, 3])
  })

  it('names a missing file', () => {
    const file = path.join(dir, 'missing.bin')
    const err = errorOf(() => readFileBytes(file, 10))
    expect(err.code).toBe('INVALID_FILE')
    expect(err.where).toBe(file)
    expect(err.message).toBe(`${file}: file not found`)
  })

  it('names a directory', () => {
    expect(() => readFileBytes(dir, 10)).toThrow(`${dir}: is a directory, not a file`)
  })

  it('refuses a FIFO without waiting for a writer, and a device such as /dev/zero', () => {
    const fifo = path.join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    expect(errorOf(() => readFileBytes(fifo, 10)).message).toBe(
      `${fifo}: is a FIFO (named pipe), not a regular file`,
    )
    expect(errorOf(() => readFileBytes('/dev/zero', MAX_JSON_BYTES)).message).toBe(
      '/dev/zero: is a device, not a regular file',
    )
  })

  it('refuses a file larger than its bound before reading it', () => {
    const file = path.join(dir, 'big.bin')
    fs.writeFileSync(file, Buffer.alloc(2048))
    expect(errorOf(() => readFileBytes(file, 1024, 'a split file')).message).toBe(
      `${file}: is 2 KiB, more than the 1 KiB allowed for a split file`,
    )
  })

  it('reads declared ranges only, and names a file shorter than a declared range', () => {
    const file = path.join(dir, 'range.bin')
    fs.writeFileSync(file, Buffer.from([0, 1, 2, 3, 4]))
    expect(withRegularFile(file, (f) => [f.size, ...f.read(1, 3)])).toEqual([5, 1, 2, 3])
    expect(errorOf(() => withRegularFile(file, (f) => f.read(3, 4))).message).toContain(
      `${file}: ended after 5 bytes`,
    )
  })
})

describe('readJsonFile', () => {
  it('parses JSON and names the file when it is not JSON, with the caller’s code', () => {
    const good = path.join(dir, 'ok.json')
    fs.writeFileSync(good, '\ufeff{"a": [1, 2]}')
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

describe('readJsonObject', () => {
  const roots: [string, string][] = [
    ['[]', 'an array'],
    ['null', 'null'],
    ['"x"', 'a string'],
    ['42', 'a number'],
    ['true', 'a boolean'],
    ['[[{}]]', 'an array'],
  ]
  for (const [text, found] of roots) {
    it(`refuses the root ${text}, naming the file and what it found`, () => {
      const file = path.join(dir, `root-${found.replace(/\W/g, '')}-${text.length}.json`)
      fs.writeFileSync(file, text)
      const err = errorOf(() => readJsonObject(file, 'INVALID_CONFIG', 'a run config'))
      expect(err.code).toBe('INVALID_CONFIG')
      expect(err.message).toBe(
        `${file}: the top level must be a JSON object (a run config), found ${found}`,
      )
    })
  }
})

describe('resolveInside', () => {
  it('keeps names inside the folder and refuses absolute, ../ and symlinked-out ones', () => {
    const model = fs.mkdtempSync(path.join(dir, 'model-'))
    fs.writeFileSync(path.join(model, 'w.bin'), '')
    fs.mkdirSync(path.join(model, 'sub'))
    expect(resolveInside(model, 'w.bin')).toBe(path.join(model, 'w.bin'))
    expect(resolveInside(model, 'sub/../w.bin')).toBe(path.join(model, 'w.bin'))
    expect(resolveInside(model, 'missing.bin')).toBe(path.join(model, 'missing.bin'))
    expect(resolveInside(model, '../secret.txt')).toBeNull()
    expect(resolveInside(model, '/etc/passwd')).toBeNull()
    expect(resolveInside(model, '.')).toBeNull()
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret')
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(model, 'link.bin'))
    expect(resolveInside(model, 'link.bin')).toBeNull()
  })
})
