/** Fixtures shared by the model-file (io) tests. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Mat } from '../../core/linalg/matrix.ts'
import { identity, matmul } from '../../core/linalg/matrix.ts'
import { createRng } from '../../core/random/prng.ts'

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'basiscope-'))
}

/**
 * Hand-assembles a safetensors file from a header (object, raw text or raw bytes) and data,
 * without any of encodeSafetensors' checks, so tests can build broken files.
 */
export function rawSafetensors(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  options: { headerLength?: bigint } = {},
): Buffer {
  const json =
    header instanceof Uint8Array
      ? Buffer.from(header)
      : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8')
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(options.headerLength ?? BigInt(json.length))
  return Buffer.concat([len, json, data])
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength))
}

/** A random d×d orthogonal matrix as a product of Givens rotations over all pairs (i, j). */
export function givensOrthogonal(d: number, seed: number): Mat {
  const rng = createRng(seed)
  let r = identity(d)
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const theta = (rng.next() * 2 - 1) * Math.PI
      const g = identity(d)
      g.data[i * d + i] = Math.cos(theta)
      g.data[j * d + j] = Math.cos(theta)
      g.data[i * d + j] = -Math.sin(theta)
      g.data[j * d + i] = Math.sin(theta)
      r = matmul(g, r)
    }
  }
  return r
}
