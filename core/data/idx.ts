/**
 * MNIST IDX files (http://yann.lecun.com/exdb/mnist/): `*-idx3-ubyte` images and
 * `*-idx1-ubyte` labels, plain or gzipped. Big-endian header: a magic number
 * 0x000008DD (0x08 = unsigned bytes, DD = number of dimensions), then one uint32 per
 * dimension, then the data. Every bad input throws fileError(file, problem).
 */
import { basename } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { fileError } from '../errors.ts'
import { sha256Float32 } from './dataset.ts'
import type { Dataset } from './dataset.ts'
import { withRegularFile } from './read-file.ts'

export interface IdxImages {
  readonly n: number
  readonly rows: number
  readonly cols: number
  /** n * rows * cols bytes, row-major, 0 … 255. */
  readonly pixels: Uint8Array
}

export interface IdxLabels {
  readonly n: number
  readonly labels: Uint8Array
}

const UBYTE = 0x08
const IMAGES_MAGIC = 0x00000803
const LABELS_MAGIC = 0x00000801
const MNIST_CLASSES = 10

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
}

const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`

interface Kind {
  readonly magic: number
  readonly ndims: number
  readonly what: string
  readonly dimNames: string
  readonly other: { readonly magic: number; readonly what: string }
}

const IMAGES: Kind = {
  magic: IMAGES_MAGIC,
  ndims: 3,
  what: 'an idx3-ubyte image file',
  dimNames: 'images, rows, cols',
  other: { magic: LABELS_MAGIC, what: 'an idx1-ubyte label file' },
}

const LABELS: Kind = {
  magic: LABELS_MAGIC,
  ndims: 1,
  what: 'an idx1-ubyte label file',
  dimNames: 'labels',
  other: { magic: IMAGES_MAGIC, what: 'an idx3-ubyte image file' },
}

/**
 * The largest IDX data read, decompressed: 1 GiB (MNIST's training images are 47 MB). A
 * header declaring more is refused before anything past it is read.
 */
export const MAX_IDX_BYTES = 1024 ** 3

const isGzip = (head: Buffer): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b

/**
 * A gzipped IDX file's bytes, decompressed: never more than its gzip trailer declares
 * (ISIZE, the last 4 bytes) nor MAX_IDX_BYTES, so a gzip bomb stops at the bound.
 */
function gunzipBounded(file: string, raw: Buffer, gzipMagic: boolean): Buffer {
  const declared = raw.length >= 4 ? raw.readUInt32LE(raw.length - 4) : 0
  const bound = Math.min(declared, MAX_IDX_BYTES)
  try {
    return gunzipSync(raw, { maxOutputLength: Math.max(bound, 1) })
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw fileError(
        file,
        `gzip data decompresses to more than ${declared > MAX_IDX_BYTES ? `the ${MAX_IDX_BYTES} bytes allowed for an IDX file` : `the ${declared} bytes its gzip trailer declares`}`,
      )
    }
    const why = err instanceof Error ? err.message : String(err)
    const hint = gzipMagic ? '' : ' (the name ends in .gz but the file does not start with 1f 8b)'
    throw fileError(file, `bad gzip data: ${why}${hint}`, err)
  }
}

/**
 * An IDX file's header dimensions and its data, exactly the bytes the header declares. A
 * plain file is checked against its size before the data is read; a gzipped one is read
 * whole (bounded) and decompressed (bounded).
 */
function readIdx(
  file: string,
  kind: Kind,
  what: (dims: number[]) => string,
): { dims: number[]; data: Uint8Array } {
  const start = 4 + 4 * kind.ndims
  return withRegularFile(file, (f) => {
    const head = f.read(0, Math.min(f.size, start))
    if (isGzip(head) || file.toLowerCase().endsWith('.gz')) {
      if (f.size > MAX_IDX_BYTES) {
        throw fileError(
          file,
          `is ${f.size} bytes, more than the ${MAX_IDX_BYTES} allowed for an IDX file`,
        )
      }
      const buf = gunzipBounded(file, f.read(0, f.size), isGzip(head))
      const { dims } = parseHeader(file, buf, kind)
      const data = takeData(file, buf.length - start, dataBytes(file, dims), what(dims))
      return { dims, data: new Uint8Array(buf.subarray(start, start + data)) }
    }
    const { dims } = parseHeader(file, head, kind)
    const expected = takeData(file, f.size - start, dataBytes(file, dims), what(dims))
    return { dims, data: new Uint8Array(f.read(start, expected)) }
  })
}

/** The data bytes the header's dimensions declare, refused past MAX_IDX_BYTES. */
function dataBytes(file: string, dims: readonly number[]): number {
  const n = dims.reduce((p, d) => p * d, 1)
  if (n > MAX_IDX_BYTES) {
    throw fileError(
      file,
      `header declares ${dims.join(' × ')} = ${n} bytes of data, more than the ${MAX_IDX_BYTES} allowed for an IDX file`,
    )
  }
  return n
}

/** Checks the header and returns the dimensions and where the data starts. */
function parseHeader(file: string, buf: Buffer, kind: Kind): { dims: number[]; start: number } {
  if (buf.length < 4) {
    throw fileError(
      file,
      `too short to be ${kind.what}: ${buf.length} bytes, expected magic number ${hex(kind.magic)} in the first 4`,
    )
  }
  const magic = buf.readUInt32BE(0)
  if (magic !== kind.magic) {
    const expected = `expected magic number ${hex(kind.magic)} for ${kind.what}, found ${hex(magic)}`
    if (magic === kind.other.magic) {
      throw fileError(
        file,
        `${expected}, which is ${kind.other.what}; are the images and labels files swapped?`,
      )
    }
    if (buf[0] !== 0 || buf[1] !== 0) {
      throw fileError(file, `not an IDX file: ${expected}`)
    }
    if (buf[2] !== UBYTE) {
      const type = TYPE_NAMES[buf[2]] ?? 'unknown'
      throw fileError(
        file,
        `${expected}: element type 0x${buf[2].toString(16).padStart(2, '0')} (${type}) is not unsigned bytes`,
      )
    }
    throw fileError(
      file,
      `wrong number of dimensions: magic number ${hex(magic)} declares ${buf[3]}, expected ${kind.ndims} (${kind.dimNames}) for ${kind.what}`,
    )
  }
  const start = 4 + 4 * kind.ndims
  if (buf.length < start) {
    throw fileError(
      file,
      `truncated header: expected ${start} bytes (magic number and ${kind.ndims} dimension sizes), found ${buf.length}`,
    )
  }
  const dims: number[] = []
  for (let k = 0; k < kind.ndims; k++) dims.push(buf.readUInt32BE(4 + 4 * k))
  const names = kind.dimNames.split(', ')
  dims.forEach((d, k) => {
    if (d < 1) throw fileError(file, `header declares ${d} ${names[k]}; expected at least 1`)
  })
  return { dims, start }
}

/** The data after the header (`found` bytes) must be exactly `expected` bytes; returns it. */
function takeData(file: string, found: number, expected: number, what: string): number {
  if (found < expected) {
    throw fileError(file, `truncated: expected ${expected} bytes of ${what}, found ${found}`)
  }
  if (found > expected) {
    throw fileError(
      file,
      `${found - expected} trailing bytes after the expected ${expected} bytes of ${what}`,
    )
  }
  return expected
}

export function readIdxImages(file: string): IdxImages {
  const { dims, data } = readIdx(
    file,
    IMAGES,
    ([n, rows, cols]) => `pixel data (${n} images of ${rows}×${cols})`,
  )
  const [n, rows, cols] = dims
  return { n, rows, cols, pixels: data }
}

export function readIdxLabels(file: string): IdxLabels {
  const { dims, data } = readIdx(file, LABELS, ([n]) => `label data (${n} labels)`)
  return { n: dims[0], labels: data }
}
/** An MNIST-style dataset from an IDX images file and its labels file (labels 0 … 9). */
export function loadIdxDataset(imagesFile: string, labelsFile: string): Dataset {
  const img = readIdxImages(imagesFile)
  const lab = readIdxLabels(labelsFile)
  if (img.n !== lab.n) {
    throw fileError(
      labelsFile,
      `has ${lab.n} labels but the images file ${imagesFile} has ${img.n} images; they must match`,
    )
  }
  for (let i = 0; i < lab.n; i++) {
    if (lab.labels[i] >= MNIST_CLASSES) {
      throw fileError(
        labelsFile,
        `labels[${i}] = ${lab.labels[i]} is out of range; labels must be digits 0 … ${MNIST_CLASSES - 1}`,
      )
    }
  }
  const images = new Float32Array(img.pixels.length)
  for (let j = 0; j < images.length; j++) images[j] = img.pixels[j] / 255
  return Object.freeze({
    name: `mnist-idx:${basename(imagesFile)}`,
    n: img.n,
    width: img.cols,
    height: img.rows,
    dim: img.rows * img.cols,
    classes: MNIST_CLASSES,
    images,
    labels: lab.labels,
    sha256: sha256Float32(images),
  })
}
