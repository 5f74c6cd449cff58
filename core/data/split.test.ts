import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { createRng, permutation } from '../random/prng.ts'
import { randomSplit, readSplitFile, validateSplit } from './split.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function errorOf(fn: () => unknown): BasiscopeError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(BasiscopeError)
    return e as BasiscopeError
  }
  throw new Error('expected an error')
}

describe('randomSplit', () => {
  it('takes train then test from the seeded permutation', () => {
    const order = permutation(100, createRng(7))
    const split = randomSplit(100, 60, 30, 7)
    expect(split.train).toEqual(order.slice(0, 60))
    expect(split.test).toEqual(order.slice(60, 90))
  })

  it('is reproducible and depends on the seed', () => {
    expect(randomSplit(1000, 500, 200, 1)).toEqual(randomSplit(1000, 500, 200, 1))
    expect(randomSplit(1000, 500, 200, 1).train).not.toEqual(randomSplit(1000, 500, 200, 2).train)
  })

  it('gives disjoint in-range indices, and may use every example', () => {
    const { train, test } = randomSplit(50, 30, 20, 3)
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    )
  })

  it('rejects sizes that do not fit, naming data.split', () => {
    const err = errorOf(() => randomSplit(100, 80, 30, 0))
    expect(err.code).toBe('INVALID_CONFIG')
    expect(err.where).toBe('data.split')
    expect(err.message).toBe(
      'data.split: train size 80 + test size 30 = 110 exceeds the 100 examples in the dataset',
    )
  })

  it('rejects sizes below 1 or not integers', () => {
    expect(errorOf(() => randomSplit(100, 0, 10, 0)).message).toBe(
      'data.split: train size must be an integer ≥ 1, got 0',
    )
    expect(errorOf(() => randomSplit(100, 10, -1, 0)).message).toContain('test size')
    expect(errorOf(() => randomSplit(100, 10.5, 1, 0)).code).toBe('INVALID_CONFIG')
  })
})

describe('validateSplit', () => {
  const ok = { train: [0, 2, 4], test: [1, 3] }

  it('accepts a valid split and returns copies', () => {
    const split = validateSplit(ok, 5, 'data.split')
    expect(split).toEqual(ok)
    expect(split.train).not.toBe(ok.train)
  })

  const cases: [string, unknown, string][] = [
    ['not an object', [1, 2], 'expected an object {"train": [...], "test": [...]}, found an array'],
    ['null', null, 'found null'],
    ['unknown key', { ...ok, valid: [5] }, 'unknown key "valid"'],
    ['missing key', { train: [0] }, 'missing "test"'],
    ['not an array', { train: 'all', test: [1] }, '"train" must be an array of example indices'],
    ['empty', { train: [0], test: [] }, '"test" is empty'],
    ['non-integer', { train: [0, 1.5], test: [2] }, 'train[1] is number 1.5, not an integer'],
    ['a string index', { train: [0], test: ['2'] }, 'test[0] is the string "2", not an integer'],
    [
      'negative',
      { train: [-1], test: [2] },
      'train[0] = -1 is out of range; indices must be in [0, 5)',
    ],
    ['too large', { train: [0], test: [2, 5] }, 'test[1] = 5 is out of range'],
    [
      'duplicate in train',
      { train: [0, 3, 0], test: [2] },
      'train[2] = 0 is a duplicate of train[0]',
    ],
    ['duplicate in test', { train: [0], test: [1, 2, 1] }, 'test[2] = 1 is a duplicate of test[0]'],
    ['overlap', { train: [0, 1, 4], test: [2, 4] }, 'test[1] = 4 also appears in train (train[2])'],
  ]

  for (const [what, value, problem] of cases) {
    it(`rejects ${what}`, () => {
      const err = errorOf(() => validateSplit(value, 5, 'experiment.data.split'))
      expect(err.code).toBe('INVALID_CONFIG')
      expect(err.where).toBe('experiment.data.split')
      expect(err.message.startsWith('experiment.data.split: ')).toBe(true)
      expect(err.message).toContain(problem)
    })
  }

  it('rejects a bad dataset size as a programming error', () => {
    expect(errorOf(() => validateSplit(ok, 0, 'data.split')).code).toBe('INVALID_ARGUMENT')
  })
})

describe('readSplitFile', () => {
  function write(name: string, text: string): string {
    const file = path.join(dir, name)
    fs.writeFileSync(file, text)
    return file
  }

  it('reads a JSON split (with or without a BOM)', () => {
    const file = write('split.json', JSON.stringify({ test: [9, 8], train: [1, 2, 3] }))
    expect(readSplitFile(file, 10)).toEqual({ train: [1, 2, 3], test: [9, 8] })
    const bom = write('bom.json', '\ufeff{"train": [0], "test": [1]}')
    expect(readSplitFile(bom, 2)).toEqual({ train: [0], test: [1] })
  })

  it('names a missing file', () => {
    const file = path.join(dir, 'missing.json')
    const err = errorOf(() => readSplitFile(file, 10))
    expect(err.code).toBe('INVALID_FILE')
    expect(err.message).toBe(`${file}: file not found`)
  })

  it('names a file with invalid JSON', () => {
    const file = write('broken.json', '{"train": [1, 2,')
    const err = errorOf(() => readSplitFile(file, 10))
    expect(err.code).toBe('INVALID_FILE')
    expect(err.where).toBe(file)
    expect(err.message).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON `),
    )
  })

  it('names the file and the problem for an invalid split', () => {
    const indices = Array.from({ length: 20 }, (_, i) => i)
    const file = write('overlap.json', JSON.stringify({ train: [5, 30, 31], test: [...indices] }))
    const err = errorOf(() => readSplitFile(file, 100))
    expect(err.code).toBe('INVALID_FILE')
    expect(err.where).toBe(file)
    expect(err.message).toBe(
      `${file}: test[5] = 5 also appears in train (train[0]); train and test must not overlap`,
    )
  })

  it('reads a split file with metadata keys beside the lists, and says it ignored them', () => {
    // As a Python script writes one (issue 13: refused before as "unknown key").
    const text = JSON.stringify({ description: 'first 50', n_total: 70000, train: [1], test: [2] })
    const file = write('with-metadata.json', text)
    const warnings: string[] = []
    expect(readSplitFile(file, 10, (m) => warnings.push(m))).toEqual({ train: [1], test: [2] })
    expect(warnings).toEqual([
      `${file}: ignoring unknown keys "description", "n_total" (only "train", "test" are read)`,
    ])
    // A split written in a config stays strict.
    expect(
      errorOf(() => validateSplit({ train: [1], test: [2], seed: 3 }, 10, 'data.split')).message,
    ).toBe('data.split: unknown key "seed"; a split has only "train" and "test"')
  })

  it('refuses a FIFO, a directory and /dev/zero as split files without reading them', () => {
    const fifo = path.join(dir, 'split.fifo')
    execFileSync('mkfifo', [fifo])
    expect(errorOf(() => readSplitFile(fifo, 10)).message).toBe(
      `${fifo}: is a FIFO (named pipe), not a regular file`,
    )
    expect(errorOf(() => readSplitFile(dir, 10)).message).toBe(`${dir}: is a directory, not a file`)
    expect(errorOf(() => readSplitFile('/dev/zero', 10)).message).toBe(
      '/dev/zero: is a device, not a regular file',
    )
  })
})
