/**
 * Train/test splits as lists of example indices into a Dataset: drawn from a seed, or
 * given explicitly (in a config or a JSON file) and validated against the dataset size.
 */
import { BasiscopeError, fileError } from '../errors.ts'
import { createRng, permutation } from '../random/prng.ts'
import { type Warn, ignoredKeysWarning } from './checks.ts'
import { readJsonFile } from './read-file.ts'

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

/**
 * Checks a parsed split; `fail(problem)` makes the error to throw. `unknownKeys`: what to do
 * with keys beside "train" and "test" — an error (a split written in a run config, which is
 * strict), or a warning (a split FILE: Python scripts write metadata such as "description"
 * or "n_total" beside the lists, and refusing real-world files for that helps no one).
 */
function checkSplit(
  value: unknown,
  n: number,
  fail: (problem: string) => BasiscopeError,
  unknownKeys: 'error' | Warn,
): Split {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`expected an object {"train": [...], "test": [...]}, found ${describe(value)}`)
  }
  const record = value as Record<string, unknown>
  const extra = Object.keys(record).filter((key) => !(KEYS as readonly string[]).includes(key))
  if (extra.length > 0 && unknownKeys === 'error') {
    throw fail(`unknown key ${JSON.stringify(extra[0])}; a split has only "train" and "test"`)
  }
  if (extra.length > 0 && unknownKeys !== 'error') unknownKeys(ignoredKeysWarning(extra, KEYS))
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
    'error',
  )
}

/**
 * Reads and validates a JSON split file {"train": [...], "test": [...]}; other keys are
 * ignored, each file's once reported through `warn` (the CLI's stderr, a service run's log).
 */
export function readSplitFile(file: string, n: number, warn: Warn = () => {}): Split {
  checkDatasetSize(n, 'readSplitFile')
  const value = readJsonFile(file, 'INVALID_FILE', 'a split file')
  return checkSplit(
    value,
    n,
    (problem) => fileError(file, problem),
    (message) => warn(`${file}: ${message}`),
  )
}
