import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  decodeSafetensors,
  encodeSafetensors,
  halfToNumber,
  readSafetensors,
  writeSafetensors,
} from './safetensors.ts'
import { bytesOf, rawSafetensors, tmpDir } from '../../../test/helpers/io-fixtures.ts'
import { thrown } from '../../../test/helpers/errors.ts'

describe('encodeSafetensors', () => {
  it('lays out a tiny file byte for byte as hand-computed', () => {
    const buf = encodeSafetensors(
      [
        { name: 'a', dtype: 'U8', shape: [2], data: new Uint8Array([1, 2]) },
        { name: 'b', dtype: 'F32', shape: [1], data: new Float32Array([1.5]) },
      ],
      { k: 'v' },
    )
    // 4-byte tensors come before 1-byte ones; the header is 131 bytes of JSON + 5 spaces = 136.
    const json =
      '{"__metadata__":{"k":"v"},' +
      '"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
      '"a":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}'
    expect(json.length).toBe(131)
    const expected = Buffer.concat([
      Buffer.from([136, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(json + '     ', 'utf8'),
      Buffer.from([0x00, 0x00, 0xc0, 0x3f]), // 1.5f little-endian
      Buffer.from([1, 2]),
    ])
    expect(buf.length).toBe(150)
    expect(buf.equals(expected)).toBe(true)
  })

  it('pads the header to 8-byte alignment and omits __metadata__ when none is given', () => {
    const buf = encodeSafetensors([
      { name: 'x', dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) },
    ])
    const n = Number(buf.readBigUInt64LE(0))
    expect(n % 8).toBe(0)
    expect(buf.subarray(8, 8 + n).toString('utf8')).not.toContain('__metadata__')
    expect(buf.readDoubleLE(8 + n)).toBe(Math.PI)
  })

  it('rejects inconsistent input as INVALID_ARGUMENT', () => {
    const e1 = thrown(() =>
      encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }]),
    )
    expect(e1.code).toBe('INVALID_ARGUMENT')
    expect(e1.message).toContain('"w"')
    const e2 = thrown(() =>
      encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: new Float64Array(2) }]),
    )
    expect(e2.message).toContain('Float32Array')
    const e3 = thrown(() =>
      encodeSafetensors([
        { name: 'w', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
        { name: 'w', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
      ]),
    )
    expect(e3.message).toContain('duplicate')
  })
})

describe('readSafetensors / writeSafetensors', () => {
  it('round-trips F32, F64, I32 and U8 with metadata', () => {
    const dir = tmpDir()
    const file = path.join(dir, 'm.safetensors')
    const f32 = new Float32Array([1.25, -2, 3e-8, 65536.5, 0, -0.125])
    const f64 = new Float64Array([Math.PI, -Math.E, 1e300])
    const i32 = new Int32Array([-2147483648, 0, 2147483647, 7])
    const u8 = new Uint8Array([0, 1, 254, 255, 9])
    writeSafetensors(
      file,
      [
        { name: 'u', dtype: 'U8', shape: [5], data: u8 },
        { name: 'f', dtype: 'F32', shape: [2, 3], data: f32 },
        { name: 'i', dtype: 'I32', shape: [2, 2], data: i32 },
        { name: 'd', dtype: 'F64', shape: [3, 1], data: f64 },
        { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      ],
      { note: 'héllo', n: '3' },
    )
    const { tensors, metadata } = readSafetensors(file)
    expect(metadata).toEqual({ note: 'héllo', n: '3' })
    expect(tensors.get('f')).toEqual({ dtype: 'F32', shape: [2, 3], data: f32 })
    expect(tensors.get('d')).toEqual({ dtype: 'F64', shape: [3, 1], data: f64 })
    expect(tensors.get('i')).toEqual({ dtype: 'I32', shape: [2, 2], data: i32 })
    expect(tensors.get('u')).toEqual({ dtype: 'U8', shape: [5], data: u8 })
    expect(tensors.get('empty')!.shape).toEqual([0, 4])
    expect(tensors.get('f')!.data).toBeInstanceOf(Float32Array)
    expect(tensors.get('d')!.data).toBeInstanceOf(Float64Array)
  })

  it('decodes a hand-built F16 tensor, including subnormals, ±0, ±∞ and NaN', () => {
    const halves = new Uint16Array([
      0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555,
    ])
    const file = rawSafetensors(
      { h: { dtype: 'F16', shape: [2, 5], data_offsets: [0, 20] } },
      bytesOf(halves),
    )
    const t = decodeSafetensors(file).tensors.get('h')!
    expect(t.dtype).toBe('F16')
    expect(t.shape).toEqual([2, 5])
    expect(t.data).toBeInstanceOf(Float32Array)
    const v = Array.from(t.data as Float32Array)
    expect(v.slice(0, 8)).toEqual([1, -2, 0.5, 65504, 2 ** -24, -0, Infinity, -Infinity])
    expect(Object.is(v[5], -0)).toBe(true)
    expect(v[8]).toBeNaN()
    expect(v[9]).toBeCloseTo(1 / 3, 3) // 0x3555 ≈ 0.33325
    expect(halfToNumber(0x3555)).toBe(0.333251953125)
  })

  it('decodes BF16, I64 (as BigInt64Array) and unaligned data offsets', () => {
    // U8 [3] first, so the F32 tensor starts at an odd offset of the buffer.
    const f32 = new Float32Array([0.1, -7])
    const data = Buffer.concat([
      Buffer.from([5, 6, 7]),
      Buffer.from(bytesOf(f32)),
      Buffer.from(bytesOf(new Uint16Array([0x3f80, 0xc020]))), // bf16 1, -2.5
      Buffer.from(bytesOf(new BigInt64Array([-(2n ** 62n) - 3n, 9007199254740993n]))),
    ])
    const file = rawSafetensors(
      {
        __metadata__: { a: 'b' },
        u: { dtype: 'U8', shape: [3], data_offsets: [0, 3] },
        f: { dtype: 'F32', shape: [2], data_offsets: [3, 11] },
        bf: { dtype: 'BF16', shape: [2], data_offsets: [11, 15] },
        big: { dtype: 'I64', shape: [2], data_offsets: [15, 31] },
      },
      data,
    )
    const { tensors, metadata } = decodeSafetensors(file)
    expect(metadata).toEqual({ a: 'b' })
    expect(Array.from(tensors.get('u')!.data as Uint8Array)).toEqual([5, 6, 7])
    expect(tensors.get('f')!.data).toEqual(f32)
    expect(Array.from(tensors.get('bf')!.data as Float32Array)).toEqual([1, -2.5])
    const big = tensors.get('big')!.data as BigInt64Array
    expect(big).toBeInstanceOf(BigInt64Array)
    expect(Array.from(big)).toEqual([-(2n ** 62n) - 3n, 9007199254740993n])
  })

  it('accepts a header padded with spaces', () => {
    const header = JSON.stringify({ x: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }) + '   '
    const t = decodeSafetensors(rawSafetensors(header, new Uint8Array([42]))).tensors.get('x')!
    expect(Array.from(t.data as Uint8Array)).toEqual([42])
  })

  it('writes atomically: no temp files left, and a failed write leaves nothing behind', () => {
    const dir = tmpDir()
    const file = path.join(dir, 'a.safetensors')
    const t = [{ name: 'x', dtype: 'U8' as const, shape: [1], data: new Uint8Array([1]) }]
    writeSafetensors(file, t)
    writeSafetensors(file, [{ ...t[0], data: new Uint8Array([2]) }]) // replaces
    expect(fs.readdirSync(dir)).toEqual(['a.safetensors'])
    expect(Array.from(readSafetensors(file).tensors.get('x')!.data as Uint8Array)).toEqual([2])

    // The rename fails when the target is a directory: the temp file must be cleaned up.
    const blocked = path.join(dir, 'blocked.safetensors')
    fs.mkdirSync(path.join(blocked, 'inner'), { recursive: true })
    const e = thrown(() => writeSafetensors(blocked, t))
    expect(e.code).toBe('INVALID_FILE')
    expect(e.message).toContain(blocked)
    expect(fs.readdirSync(dir).sort()).toEqual(['a.safetensors', 'blocked.safetensors'])

    const missingDir = path.join(dir, 'nope', 'b.safetensors')
    expect(thrown(() => writeSafetensors(missingDir, t)).message).toContain(missingDir)
  })
})

describe('readSafetensors validation', () => {
  const dir = tmpDir()
  let n = 0
  const errorFor = (bytes: Uint8Array): string => {
    const file = path.join(dir, `bad${n++}.safetensors`)
    fs.writeFileSync(file, bytes)
    const e = thrown(() => readSafetensors(file))
    expect(e.code).toBe('INVALID_FILE')
    expect(e.where).toBe(file)
    expect(e.message.startsWith(`${file}: `)).toBe(true)
    return e.message
  }
  const u8 = (name: string, offsets: [number, number], shape = [offsets[1] - offsets[0]]) => ({
    [name]: { dtype: 'U8', shape, data_offsets: offsets },
  })

  it('reports a missing file', () => {
    const file = path.join(dir, 'missing.safetensors')
    expect(thrown(() => readSafetensors(file)).message).toContain(file)
  })

  it('rejects a file too short', () => {
    expect(errorFor(new Uint8Array([1, 2, 3]))).toMatch(/3 bytes, too short/)
  })

  it('rejects a header length beyond the file', () => {
    expect(errorFor(rawSafetensors('{}', undefined, { headerLength: 1000n }))).toMatch(
      /header length 1000 runs past the end of the file \(10 bytes/,
    )
    expect(errorFor(rawSafetensors('{}', undefined, { headerLength: 2n ** 63n }))).toMatch(
      /runs past the end/,
    )
  })

  it('rejects a header that is not JSON, or not an object', () => {
    expect(errorFor(rawSafetensors('{"a": '))).toMatch(/header is not JSON/)
    expect(errorFor(rawSafetensors('[1, 2]'))).toMatch(
      /header is not a JSON object \(got an array\)/,
    )
    expect(errorFor(rawSafetensors('null'))).toMatch(/not a JSON object \(got null\)/)
    expect(errorFor(rawSafetensors(new Uint8Array([0x7b, 0xff, 0x7d])))).toMatch(
      /header is not valid UTF-8/,
    )
  })

  it('rejects bad metadata', () => {
    expect(errorFor(rawSafetensors({ __metadata__: { n: 3 } }))).toMatch(/"n" is a number/)
  })

  it('rejects entries missing dtype, shape or data_offsets', () => {
    const entry = { dtype: 'U8', shape: [1], data_offsets: [0, 1] }
    const data = new Uint8Array(1)
    for (const key of ['dtype', 'shape', 'data_offsets'] as const) {
      const broken: Record<string, unknown> = { ...entry }
      delete broken[key]
      expect(errorFor(rawSafetensors({ 'fc1.weight': broken }, data))).toContain(
        `tensor "fc1.weight": missing "${key}"`,
      )
    }
    expect(errorFor(rawSafetensors({ w: 5 }))).toContain('tensor "w": entry is not an object')
    expect(errorFor(rawSafetensors({ w: { ...entry, shape: [-1] } }, data))).toContain(
      'tensor "w": "shape" must be an array of non-negative integers',
    )
    expect(errorFor(rawSafetensors({ w: { ...entry, data_offsets: [1, 0] } }, data))).toContain(
      'tensor "w": "data_offsets" must be [begin, end]',
    )
  })

  it('rejects an unknown dtype', () => {
    expect(
      errorFor(
        rawSafetensors(
          { w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } },
          new Uint8Array(1),
        ),
      ),
    ).toMatch(/tensor "w": unknown dtype "F8_E4M3" \(supported: F64, F32/)
  })

  it('rejects offsets out of range', () => {
    expect(errorFor(rawSafetensors(u8('w', [0, 5]), new Uint8Array(4)))).toContain(
      'tensor "w": data_offsets [0, 5] run past the end of the data buffer (4 bytes)',
    )
  })

  it('rejects offsets that do not match shape × dtype size', () => {
    const header = { 'fc1.weight': { dtype: 'F32', shape: [128, 784], data_offsets: [0, 100] } }
    expect(errorFor(rawSafetensors(header, new Uint8Array(100)))).toContain(
      'tensor "fc1.weight": data_offsets [0, 100] hold 100 bytes but shape [128, 784] of F32 needs 401408',
    )
  })

  it('rejects overlapping tensors', () => {
    const header = { ...u8('a', [0, 4]), ...u8('b', [2, 6]) }
    expect(errorFor(rawSafetensors(header, new Uint8Array(6)))).toContain(
      'tensor "b": data_offsets [2, 6] overlap tensor "a" at [0, 4]',
    )
  })

  it('rejects holes and unused trailing bytes', () => {
    const holes = { ...u8('a', [0, 2]), ...u8('b', [3, 5]) }
    expect(errorFor(rawSafetensors(holes, new Uint8Array(5)))).toContain(
      'data buffer bytes [2, 3) belong to no tensor (before tensor "b")',
    )
    expect(errorFor(rawSafetensors(u8('a', [0, 2]), new Uint8Array(5)))).toContain(
      'data buffer has 3 unused trailing bytes',
    )
  })
})

describe('readSafetensors: only regular files, only the bytes the header declares (issue 13, D4)', () => {
  it('refuses a FIFO, a directory and /dev/zero before reading them', () => {
    const dir = tmpDir()
    const fifo = path.join(dir, 'model.safetensors')
    execFileSync('mkfifo', [fifo])
    expect(thrown(() => readSafetensors(fifo)).message).toBe(
      `${fifo}: is a FIFO (named pipe), not a regular file`,
    )
    expect(thrown(() => readSafetensors(dir)).message).toBe(`${dir}: is a directory, not a file`)
    expect(thrown(() => readSafetensors('/dev/zero')).message).toBe(
      '/dev/zero: is a device, not a regular file',
    )
  })

  it('refuses a header whose length or offsets declare more than the file holds', () => {
    const dir = tmpDir()
    const long = path.join(dir, 'long-header.safetensors')
    fs.writeFileSync(long, rawSafetensors('{}', new Uint8Array(0), { headerLength: 1n << 40n }))
    expect(thrown(() => readSafetensors(long)).message).toContain(
      'header length 1099511627776 runs past the end of the file (10 bytes',
    )
    const past = path.join(dir, 'offsets-past.safetensors')
    const header = { w: { dtype: 'F32', shape: [1000, 1000], data_offsets: [0, 4_000_000] } }
    fs.writeFileSync(past, rawSafetensors(header, new Uint8Array(16)))
    expect(thrown(() => readSafetensors(past)).message).toContain(
      'tensor "w": data_offsets [0, 4000000] run past the end of the data buffer (16 bytes)',
    )
  })
})
