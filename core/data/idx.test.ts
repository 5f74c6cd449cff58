import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { sha256Float32 } from './dataset.ts'
import { loadIdxDataset, readIdxImages, readIdxLabels } from './idx.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** An IDX file's bytes: big-endian magic, dimension sizes, then data. */
function idx(magic: number, dims: number[], data: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header.writeUInt32BE(magic, 0)
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k))
  return Buffer.concat([header, Buffer.from(Uint8Array.from(data))])
}

function write(name: string, bytes: Buffer): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, bytes)
  return file
}

// 3 images of 2×4 (rows × cols), pixel j of image i = 10*i + j; labels 7, 0, 9.
const N = 3
const ROWS = 2
const COLS = 4
const PIXELS = Array.from({ length: N * ROWS * COLS }, (_, k) => 10 * Math.floor(k / 8) + (k % 8))
const LABELS = [7, 0, 9]
const imagesBytes = idx(0x803, [N, ROWS, COLS], PIXELS)
const labelsBytes = idx(0x801, [N], LABELS)

/** The error `fn` throws, checked to be a file error about `file`. */
function fileErrorOf(fn: () => unknown, file: string): string {
  let err: unknown
  try {
    fn()
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(BasiscopeError)
  expect((err as BasiscopeError).code).toBe('INVALID_FILE')
  expect((err as BasiscopeError).where).toBe(file)
  const message = (err as Error).message
  expect(message.startsWith(`${file}: `)).toBe(true)
  return message
}

describe('readIdxImages / readIdxLabels', () => {
  it('read plain files', () => {
    const img = readIdxImages(write('t-images-idx3-ubyte', imagesBytes))
    expect([img.n, img.rows, img.cols]).toEqual([N, ROWS, COLS])
    expect(Array.from(img.pixels)).toEqual(PIXELS)
    const lab = readIdxLabels(write('t-labels-idx1-ubyte', labelsBytes))
    expect(lab.n).toBe(N)
    expect(Array.from(lab.labels)).toEqual(LABELS)
  })

  it('read gzipped files named .gz', () => {
    const img = readIdxImages(write('g-images-idx3-ubyte.gz', gzipSync(imagesBytes)))
    expect(Array.from(img.pixels)).toEqual(PIXELS)
    const lab = readIdxLabels(write('g-labels-idx1-ubyte.gz', gzipSync(labelsBytes)))
    expect(Array.from(lab.labels)).toEqual(LABELS)
  })

  it('recognise gzip by its magic bytes whatever the name', () => {
    const img = readIdxImages(write('m-images-idx3-ubyte', gzipSync(imagesBytes)))
    expect(Array.from(img.pixels)).toEqual(PIXELS)
  })

  it('name a missing file', () => {
    const file = path.join(dir, 'nope-idx3-ubyte')
    expect(fileErrorOf(() => readIdxImages(file), file)).toBe(`${file}: file not found`)
  })

  it('name a corrupt gzip file', () => {
    const gz = gzipSync(imagesBytes)
    const file = write('corrupt-idx3-ubyte.gz', gz.subarray(0, gz.length - 12))
    expect(fileErrorOf(() => readIdxImages(file), file)).toMatch(/bad gzip data/)
    const garbage = Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    const file2 = write('garbage-idx3-ubyte', garbage)
    expect(fileErrorOf(() => readIdxImages(file2), file2)).toMatch(/bad gzip data/)
  })

  it('name a .gz file that is not gzip data', () => {
    const file = write('plain-idx3-ubyte.gz', imagesBytes)
    expect(fileErrorOf(() => readIdxImages(file), file)).toMatch(
      /bad gzip data: .*does not start with 1f 8b/,
    )
  })

  it('say when a label file is given as images (swapped files)', () => {
    const file = write('swap-labels-idx1-ubyte', labelsBytes)
    const message = fileErrorOf(() => readIdxImages(file), file)
    expect(message).toContain('expected magic number 0x00000803')
    expect(message).toContain('found 0x00000801')
    expect(message).toContain('idx1-ubyte label file')
    expect(message).toContain('swapped')
  })

  it('say when an image file is given as labels (swapped files)', () => {
    const file = write('swap-images-idx3-ubyte', imagesBytes)
    const message = fileErrorOf(() => readIdxLabels(file), file)
    expect(message).toContain('expected magic number 0x00000801')
    expect(message).toContain('found 0x00000803')
    expect(message).toContain('idx3-ubyte image file')
    expect(message).toContain('swapped')
  })

  it('reject a file that is not IDX at all', () => {
    const file = write('text-idx3-ubyte', Buffer.from('hello, world\n'))
    const message = fileErrorOf(() => readIdxImages(file), file)
    expect(message).toContain('not an IDX file')
    expect(message).toContain('expected magic number 0x00000803')
    expect(message).toContain('found 0x68656c6c')
  })

  it('reject a non-byte element type', () => {
    const file = write('float-idx3-ubyte', idx(0xd03, [1, 1, 1], [0, 0, 0, 0]))
    const message = fileErrorOf(() => readIdxImages(file), file)
    expect(message).toContain('found 0x00000d03')
    expect(message).toContain('float32')
  })

  it('reject the wrong number of dimensions', () => {
    const file = write('four-dims-idx3-ubyte', idx(0x804, [1, 2, 2, 1], [1, 2, 3, 4]))
    const message = fileErrorOf(() => readIdxImages(file), file)
    expect(message).toContain('wrong number of dimensions')
    expect(message).toContain('declares 4, expected 3')
    const file2 = write('two-dims-idx1-ubyte', idx(0x802, [2, 1], [1, 2]))
    expect(fileErrorOf(() => readIdxLabels(file2), file2)).toContain('declares 2, expected 1')
  })

  it('reject a file too short for the magic number or header', () => {
    const file = write('tiny-idx3-ubyte', Buffer.from([0, 0]))
    expect(fileErrorOf(() => readIdxImages(file), file)).toContain('too short')
    const file2 = write('short-header-idx3-ubyte', imagesBytes.subarray(0, 10))
    expect(fileErrorOf(() => readIdxImages(file2), file2)).toBe(
      `${file2}: truncated header: expected 16 bytes (magic number and 3 dimension sizes), found 10`,
    )
  })

  it('reject zero-sized dimensions', () => {
    const file = write('zero-rows-idx3-ubyte', idx(0x803, [2, 0, 4], []))
    expect(fileErrorOf(() => readIdxImages(file), file)).toContain('declares 0 rows')
    const file2 = write('zero-labels-idx1-ubyte', idx(0x801, [0], []))
    expect(fileErrorOf(() => readIdxLabels(file2), file2)).toContain('declares 0 labels')
  })

  it('reject truncated data, giving both byte counts', () => {
    const file = write('trunc-idx3-ubyte', imagesBytes.subarray(0, imagesBytes.length - 5))
    expect(fileErrorOf(() => readIdxImages(file), file)).toBe(
      `${file}: truncated: expected 24 bytes of pixel data (3 images of 2×4), found 19`,
    )
    const file2 = write('trunc-idx1-ubyte.gz', gzipSync(labelsBytes.subarray(0, 9)))
    expect(fileErrorOf(() => readIdxLabels(file2), file2)).toContain(
      'truncated: expected 3 bytes of label data (3 labels), found 1',
    )
  })

  it('reject trailing bytes', () => {
    const file = write('trail-idx3-ubyte', Buffer.concat([imagesBytes, Buffer.from([1, 2])]))
    expect(fileErrorOf(() => readIdxImages(file), file)).toContain(
      '2 trailing bytes after the expected 24 bytes of pixel data',
    )
  })
})

describe('loadIdxDataset', () => {
  const imagesFile = write('train-images-idx3-ubyte', imagesBytes)
  const labelsFile = write('train-labels-idx1-ubyte.gz', gzipSync(labelsBytes))

  it('builds a Dataset with pixels scaled to [0, 1]', () => {
    const ds = loadIdxDataset(imagesFile, labelsFile)
    expect(ds.name).toBe('mnist-idx:train-images-idx3-ubyte')
    expect([ds.n, ds.width, ds.height, ds.dim, ds.classes]).toEqual([3, COLS, ROWS, 8, 10])
    expect(ds.images).toEqual(Float32Array.from(PIXELS, (p) => p / 255))
    expect(Array.from(ds.labels)).toEqual(LABELS)
    expect(ds.sha256).toBe(sha256Float32(ds.images))
  })

  it('maps 0 … 255 to exactly 0 … 1', () => {
    const img = write('ends-idx3-ubyte', idx(0x803, [1, 1, 2], [0, 255]))
    const lab = write('ends-idx1-ubyte', idx(0x801, [1], [3]))
    expect(Array.from(loadIdxDataset(img, lab).images)).toEqual([0, 1])
  })

  it('rejects swapped files, naming the images file first', () => {
    fileErrorOf(() => loadIdxDataset(labelsFile, imagesFile), labelsFile)
  })

  it('rejects a count mismatch, naming both files and both counts', () => {
    const fewer = write('fewer-labels-idx1-ubyte', idx(0x801, [2], [1, 2]))
    const message = fileErrorOf(() => loadIdxDataset(imagesFile, fewer), fewer)
    expect(message).toBe(
      `${fewer}: has 2 labels but the images file ${imagesFile} has 3 images; they must match`,
    )
  })

  it('rejects a label outside 0 … 9, naming its index', () => {
    const bad = write('bad-labels-idx1-ubyte', idx(0x801, [3], [1, 10, 2]))
    expect(fileErrorOf(() => loadIdxDataset(imagesFile, bad), bad)).toBe(
      `${bad}: labels[1] = 10 is out of range; labels must be digits 0 … 9`,
    )
  })
})

describe('IDX files the format does not bound (issue 13, D4)', () => {
  it('refuses a FIFO, a directory and /dev/zero before reading them', () => {
    const fifo = path.join(dir, 'images.fifo')
    execFileSync('mkfifo', [fifo])
    expect(fileErrorOf(() => readIdxImages(fifo), fifo)).toBe(
      `${fifo}: is a FIFO (named pipe), not a regular file`,
    )
    expect(fileErrorOf(() => readIdxLabels(dir), dir)).toBe(`${dir}: is a directory, not a file`)
    expect(fileErrorOf(() => readIdxImages('/dev/zero'), '/dev/zero')).toBe(
      '/dev/zero: is a device, not a regular file',
    )
  })

  it('refuses a header declaring more data than the file holds, or more than the bound', () => {
    const short = write('huge-dims-idx3-ubyte', idx(0x803, [60000, 28, 28], [1, 2, 3]))
    expect(fileErrorOf(() => readIdxImages(short), short)).toBe(
      `${short}: truncated: expected 47040000 bytes of pixel data (60000 images of 28×28), found 3`,
    )
    const huge = write('max-dims-idx3-ubyte', idx(0x803, [0xffffffff, 0xffffffff, 2], []))
    expect(fileErrorOf(() => readIdxImages(huge), huge)).toContain(
      'more than the 1073741824 allowed for an IDX file',
    )
  })

  it('stops decompressing a gzipped file at the size its gzip trailer declares', () => {
    const gz = gzipSync(idx(0x801, [400_000], new Uint8Array(400_000)))
    gz.writeUInt32LE(100, gz.length - 4) // the trailer now claims 100 bytes
    const file = write('bomb-idx1-ubyte.gz', gz)
    expect(fileErrorOf(() => readIdxLabels(file), file)).toBe(
      `${file}: gzip data decompresses to more than the 100 bytes its gzip trailer declares`,
    )
  })
})
