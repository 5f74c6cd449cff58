import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeNpy } from './npy.ts'

/** Reads a .npy v1.0 file back the way numpy.lib.format does: magic, header dict, data. */
function decodeNpy(bytes: Buffer): { header: string; shape: number[]; data: Float32Array } {
  expect([...bytes.subarray(0, 6)]).toEqual([0x93, ...Buffer.from('NUMPY')])
  expect([bytes[6], bytes[7]]).toEqual([1, 0])
  const length = bytes.readUInt16LE(8)
  const header = bytes.subarray(10, 10 + length).toString('latin1')
  const m = /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(([\d, ]*)\), \} *\n$/.exec(
    header,
  )
  expect(m, header).not.toBeNull()
  const shape = m![1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
  const start = 10 + length
  const data = new Float32Array((bytes.length - start) / 4)
  for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(start + i * 4)
  return { header, shape, data }
}

describe('.npy v1.0 writer', () => {
  it('writes a little-endian float32 C-order matrix with a 64-byte aligned header', () => {
    const data = Float32Array.from([1, -2.5, 3, 0.125, 1e-8, -0])
    const bytes = encodeNpy([2, 3], data)
    const back = decodeNpy(bytes)
    expect(back.shape).toEqual([2, 3])
    expect((10 + back.header.length) % 64).toBe(0)
    expect(Array.from(back.data)).toEqual(Array.from(data))
    // Row-major: element (1, 0) is the fourth value.
    expect(bytes.readFloatLE(10 + back.header.length + 3 * 4)).toBe(0.125)
    expect(bytes.length).toBe(10 + back.header.length + 24)
  })

  it('writes vectors as 1-tuples and scalars as ()', () => {
    expect(decodeNpy(encodeNpy([4], new Float32Array(4))).header).toContain("'shape': (4,)")
    expect(decodeNpy(encodeNpy([], Float32Array.from([7]))).header).toContain("'shape': ()")
    expect(decodeNpy(encodeNpy([0, 3], new Float32Array(0))).shape).toEqual([0, 3])
  })

  it('refuses a shape that does not fit the data', () => {
    expect(() => encodeNpy([2, 2], new Float32Array(3))).toThrow(/has 4 elements, the data 3/)
    expect(() => encodeNpy([-1], new Float32Array(0))).toThrow(/non-negative integers/)
  })
})

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0

describe.skipIf(!hasNumpy)('.npy files in NumPy (python3 with numpy is installed here)', () => {
  it('np.load reads the same values, shape and dtype, without pickle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'basiscope-npy-'))
    try {
      const file = join(dir, 'r.npy')
      writeFileSync(file, encodeNpy([2, 3], Float32Array.from([1, 2, 3, 4, 5, 0.1])))
      const script = `import json, numpy as np
a = np.load(${JSON.stringify(file)}, allow_pickle=False)
print(json.dumps([str(a.dtype), list(a.shape), a.ravel(order='C').tolist()]))`
      const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toEqual(['float32', [2, 3], [1, 2, 3, 4, 5, Math.fround(0.1)]])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
