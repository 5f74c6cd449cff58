import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { sha256Float32 } from './dataset.ts'
import { EMBEDDED_MNIST_SHA256, loadEmbeddedMnist } from './mnist-embedded.ts'

const CLASS_SIZES = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]

describe('loadEmbeddedMnist', () => {
  const ds = loadEmbeddedMnist()

  it('has the shape of MNIST', () => {
    expect(ds.name).toBe('mnist-embedded')
    expect(ds.n).toBe(10000)
    expect([ds.width, ds.height, ds.dim, ds.classes]).toEqual([28, 28, 784, 10])
    expect(ds.images).toBeInstanceOf(Float32Array)
    expect(ds.images).toHaveLength(10000 * 784)
    expect(ds.labels).toBeInstanceOf(Uint8Array)
    expect(ds.labels).toHaveLength(10000)
  })

  it('has the canonical pixels (sha256 of the float32 little-endian array)', () => {
    expect(ds.sha256).toBe('66d3369c96e2eba9ba70f403dc70f4277838390daf7846c77370a41443875340')
    expect(EMBEDDED_MNIST_SHA256).toBe(ds.sha256)
    expect(sha256Float32(ds.images)).toBe(ds.sha256)
  })

  it('has the class sizes of the shipped files, in class order', () => {
    const counts = new Array<number>(10).fill(0)
    for (const l of ds.labels) counts[l]++
    expect(counts).toEqual(CLASS_SIZES)
    // Labels are sorted: class files concatenated 0 … 9.
    let start = 0
    CLASS_SIZES.forEach((size, c) => {
      expect(ds.labels[start]).toBe(c)
      expect(ds.labels[start + size - 1]).toBe(c)
      start += size
    })
  })

  it('matches the class files example by example, labels included', () => {
    const pkg = createRequire(import.meta.url).resolve('mnist/package.json')
    let row = 0
    for (let c = 0; c < 10; c++) {
      const file = path.join(path.dirname(pkg), 'src', 'digits', `${c}.json`)
      const data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] }).data
      expect(data).toHaveLength(CLASS_SIZES[c] * 784)
      const rows = ds.images.subarray(row * 784, row * 784 + data.length)
      expect(sha256Float32(rows)).toBe(sha256Float32(Float32Array.from(data)))
      const labels = ds.labels.subarray(row, row + CLASS_SIZES[c])
      expect(labels.every((l) => l === c)).toBe(true)
      row += CLASS_SIZES[c]
    }
    expect(row).toBe(ds.n)
  })

  it('has all pixels in [0, 1], with both ends used', () => {
    let min = Infinity
    let max = -Infinity
    for (const v of ds.images) {
      if (v < min) min = v
      if (v > max) max = v
    }
    expect(min).toBe(0)
    expect(max).toBe(1)
  })

  it('is cached', () => {
    expect(loadEmbeddedMnist()).toBe(ds)
  })
})
