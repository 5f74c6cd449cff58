/**
 * Train/test splits as lists of example indices into a Dataset: drawn from a seed, or
 * given explicitly (in a config or a JSON file) and validated against the dataset size.
 */
import { BasiscopeError, fileError } from '../errors.ts'
import { createRng, permutation } from '../random/prng.ts'
import { readFileBytes } from './read-file.ts'

export interface Split {
  readonly train: readonly number[]
  readonly test: readonly number[]
}

const KEYS = ['train', 'test'] as const

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

function checkDatasetSize(n: number, caller: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `${caller}: dataset size must be a positive integer, got ${String(n)}`,
    )
  }
}

/**
 * A seeded random split: shuffle 0 … n-1 with permutation(n, createRng(seed)), the first
 * trainSize go to train, the next testSize to test.
 */
export function randomSplit(n: number, trainSize: number, testSize: number, seed: number): Split {
  checkDatasetSize(n, 'randomSplit')
  const fail = (problem: string): BasiscopeError =>
    new BasiscopeError('INVALID_CONFIG', `data.split: ${problem}`, 'data.split')
  for (const [name, size] of [
    ['train size', trainSize],
    ['test size', testSize],
  ] as const) {
    if (!Number.isInteger(size) || size < 1) {
      throw fail(`${name} must be an integer ≥ 1, got ${String(size)}`)
    }
  }
  if (trainSize + testSize > n) {
    throw fail(
      `train size ${trainSize} + test size ${testSize} = ${trainSize + testSize} exceeds the ${n} examples in the dataset`,
    )
  }
  const order = permutation(n, createRng(seed))
  return {
    train: order.slice(0, trainSize),
    test: order.slice(trainSize, trainSize + testSize),
  }
}

/** Checks a parsed split; `fail(problem)` makes the error to throw. */
function checkSplit(value: unknown, n: number, fail: (problem: string) => BasiscopeError): Split {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`expected an object {"train": [...], "test": [...]}, found ${describe(value)}`)
  }
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw fail(`unknown key ${JSON.stringify(key)}; a split has only "train" and "test"`)
    }
  }
  // owner[i] = 1 + position in train, or -(1 + position in test), 0 if unused.
  const owner = new Int32Array(n)
  const lists: Record<(typeof KEYS)[number], number[]> = { train: [], test: [] }
  for (const key of KEYS) {
    if (!(key in record)) throw fail(`missing "${key}"; expected an array of example indices`)
    const list = record[key]
    if (!Array.isArray(list)) {
      throw fail(`"${key}" must be an array of example indices, found ${describe(list)}`)
    }
    if (list.length === 0) throw fail(`"${key}" is empty; it needs at least one example index`)
    const out = lists[key]
    for (let pos = 0; pos < list.length; pos++) {
      const i: unknown = list[pos]
      const at = `${key}[${pos}]`
      if (typeof i !== 'number' || !Number.isInteger(i)) {
        throw fail(`${at} is ${describe(i)}, not an integer example index`)
      }
      if (i < 0 || i >= n) {
        throw fail(`${at} = ${i} is out of range; indices must be in [0, ${n})`)
      }
      const prev = owner[i]
      if (prev !== 0) {
        const prevAt = prev > 0 ? `train[${prev - 1}]` : `test[${-prev - 1}]`
        if (prev > 0 === (key === 'train')) {
          throw fail(`${at} = ${i} is a duplicate of ${prevAt}`)
        }
        throw fail(
          `${at} = ${i} also appears in train (${prevAt}); train and test must not overlap`,
        )
      }
      owner[i] = key === 'train' ? pos + 1 : -(pos + 1)
      out.push(i)
    }
  }
  return { train: lists.train, test: lists.test }
}

/**
 * Validates an explicit split for a dataset of n examples. `source` is the field path
 * (e.g. 'data.split') that errors name.
 */
export function validateSplit(value: unknown, n: number, source: string): Split {
  checkDatasetSize(n, 'validateSplit')
  return checkSplit(
    value,
    n,
    (problem) => new BasiscopeError('INVALID_CONFIG', `${source}: ${problem}`, source),
  )
}

/** Reads and validates a JSON split file {"train": [...], "test": [...]}. */
export function readSplitFile(file: string, n: number): Split {
  checkDatasetSize(n, 'readSplitFile')
  let text = readFileBytes(file).toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw fileError(file, `invalid JSON: ${(err as Error).message}`, err)
  }
  return checkSplit(value, n, (problem) => fileError(file, problem))
}
