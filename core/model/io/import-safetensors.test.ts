import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { importSafetensorsModel, naturalCompare } from './import-safetensors.ts'
import type { TensorToWrite } from './safetensors.ts'
import { writeSafetensors } from './safetensors.ts'
import { bytesOf, rawSafetensors, tmpDir } from '../../../test/helpers/io-fixtures.ts'
import { thrown } from '../../../test/helpers/errors.ts'

const dir = tmpDir()
let count = 0

/** nn.Linear tensors for a layer named `name` mapping in → out, values name-dependent. */
function linear(name: string, inDim: number, outDim: number, seed = 0): TensorToWrite[] {
  const w = new Float32Array(outDim * inDim).map((_, i) => seed + i / 8)
  const b = new Float32Array(outDim).map((_, i) => -seed - i / 4)
  return [
    { name: `${name}.weight`, dtype: 'F32', shape: [outDim, inDim], data: w },
    { name: `${name}.bias`, dtype: 'F32', shape: [outDim], data: b },
  ]
}

function write(tensors: TensorToWrite[], metadata?: Record<string, string>): string {
  const file = path.join(dir, `m${count++}.safetensors`)
  writeSafetensors(file, tensors, metadata)
  return file
}

function errorOf(file: string): string {
  const e = thrown(() => importSafetensorsModel(file))
  expect(e.code).toBe('INVALID_FILE')
  expect(e.message.startsWith(`${file}: `)).toBe(true)
  return e.message
}

describe('naturalCompare', () => {
  it('compares digit runs numerically', () => {
    const names = ['fc10', 'fc2', 'fc1', 'layers.10', 'layers.9', 'layers.0', '4', '0', '2', '10']
    expect([...names].sort(naturalCompare)).toEqual([
      '0',
      '2',
      '4',
      '10',
      'fc1',
      'fc2',
      'fc10',
      'layers.0',
      'layers.9',
      'layers.10',
    ])
    expect(naturalCompare('fc01', 'fc1')).not.toBe(0)
    expect(naturalCompare('a', 'a')).toBe(0)
  })
})

describe('importSafetensorsModel', () => {
  it('orders fc1 < fc2 < fc10 naturally, whatever the header order', () => {
    // Lexicographic order (fc1, fc10, fc2) would not chain: 4 → 3 → 5 → 2.
    const file = write([
      ...linear('fc10', 5, 2, 3),
      ...linear('fc1', 4, 3, 1),
      ...linear('fc2', 3, 5, 2),
    ])
    const m = importSafetensorsModel(file)
    expect(m.sizes).toEqual([4, 3, 5, 2])
    expect(m.activation).toBe('relu')
    expect(m.layers.map((l) => [l.outDim, l.inDim])).toEqual([
      [3, 4],
      [5, 3],
      [2, 5],
    ])
    expect(m.layers[0].weight[5]).toBe(1 + 5 / 8)
    expect(m.layers[2].bias[1]).toBe(-3 - 1 / 4)
    expect(m.layers[1].weight).toBeInstanceOf(Float32Array)
  })

  it('orders nn.Sequential names 0 < 2 < 4 and layers.0 … layers.10', () => {
    const seq = write([...linear('4', 6, 2), ...linear('0', 3, 7), ...linear('2', 7, 6)])
    expect(importSafetensorsModel(seq).sizes).toEqual([3, 7, 6, 2])
    const widths = Array.from({ length: 12 }, (_, i) => i + 2)
    const tensors = widths.slice(0, -1).flatMap((w, i) => linear(`layers.${i}`, w, widths[i + 1]))
    expect(importSafetensorsModel(write(tensors.reverse())).sizes).toEqual(widths)
  })

  it('takes the activation from the argument, else metadata, else relu', () => {
    const tensors = [...linear('fc1', 2, 3), ...linear('fc2', 3, 1)]
    expect(importSafetensorsModel(write(tensors, { activation: 'tanh' })).activation).toBe('tanh')
    expect(importSafetensorsModel(write(tensors, { activation: 'tanh' }), 'gelu').activation).toBe(
      'gelu',
    )
    expect(importSafetensorsModel(write(tensors)).activation).toBe('relu')
    expect(errorOf(write(tensors, { activation: 'sigmoid' }))).toContain(
      'metadata "activation" is "sigmoid"; expected one of relu, tanh, gelu',
    )
  })

  it('converts F16, BF16 and F64 tensors to float32', () => {
    const w16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x0000, 0x4200, 0xbc00]) // 1 -2 .5 0 3 -1
    const bf = new Uint16Array([0x3f80, 0x4000]) // 1, 2
    const w64 = new Float64Array([0.1, 0.2])
    const b64 = new Float64Array([0.5])
    const data = Buffer.concat([bytesOf(w64), bytesOf(b64), bytesOf(w16), bytesOf(bf)])
    const file = path.join(dir, 'mixed.safetensors')
    fs.writeFileSync(
      file,
      rawSafetensors(
        {
          'fc2.weight': { dtype: 'F64', shape: [1, 2], data_offsets: [0, 16] },
          'fc2.bias': { dtype: 'F64', shape: [1], data_offsets: [16, 24] },
          'fc1.weight': { dtype: 'F16', shape: [2, 3], data_offsets: [24, 36] },
          'fc1.bias': { dtype: 'BF16', shape: [2], data_offsets: [36, 40] },
        },
        data,
      ),
    )
    const m = importSafetensorsModel(file)
    expect(m.sizes).toEqual([3, 2, 1])
    expect(Array.from(m.layers[0].weight)).toEqual([1, -2, 0.5, 0, 3, -1])
    expect(Array.from(m.layers[0].bias)).toEqual([1, 2])
    expect(m.layers[1].weight).toEqual(new Float32Array([0.1, 0.2]))
    expect(m.layers[1].bias).toBeInstanceOf(Float32Array)
  })

  describe('errors name the file and the tensor', () => {
    it('weight without bias, bias without weight', () => {
      const noBias = write([...linear('fc1', 2, 3), linear('fc2', 3, 1)[0]])
      expect(errorOf(noBias)).toContain('tensor "fc2.weight" has no matching bias "fc2.bias"')
      const noWeight = write([...linear('fc1', 2, 3), linear('fc2', 3, 1)[1]])
      expect(errorOf(noWeight)).toContain('tensor "fc2.bias" has no matching weight "fc2.weight"')
    })

    it('a tensor that is not .weight/.bias', () => {
      const file = write([
        ...linear('fc1', 2, 3),
        { name: 'bn.running_mean', dtype: 'F32', shape: [3], data: new Float32Array(3) },
      ])
      expect(errorOf(file)).toContain(
        'tensor "bn.running_mean" is not a layer weight or bias; expected <name>.weight/<name>.bias pairs',
      )
    })

    it('weight not 2-D, bias not 1-D or of the wrong length', () => {
      const w3 = write([
        { name: 'fc1.weight', dtype: 'F32', shape: [1, 2, 3], data: new Float32Array(6) },
        { name: 'fc1.bias', dtype: 'F32', shape: [1], data: new Float32Array(1) },
      ])
      expect(errorOf(w3)).toContain('tensor "fc1.weight": shape [1, 2, 3] is not 2-D')
      const b2 = write([
        { name: 'fc1.weight', dtype: 'F32', shape: [2, 3], data: new Float32Array(6) },
        { name: 'fc1.bias', dtype: 'F32', shape: [2, 1], data: new Float32Array(2) },
      ])
      expect(errorOf(b2)).toContain('tensor "fc1.bias": shape [2, 1] does not fit')
      const bLen = write([
        { name: 'fc1.weight', dtype: 'F32', shape: [2, 3], data: new Float32Array(6) },
        { name: 'fc1.bias', dtype: 'F32', shape: [3], data: new Float32Array(3) },
      ])
      expect(errorOf(bLen)).toContain(
        'tensor "fc1.bias": shape [3] does not fit "fc1.weight" with 2 outputs; expected [2]',
      )
    })

    it('shapes that do not chain', () => {
      const file = write([...linear('fc1', 784, 128), ...linear('fc2', 64, 10)])
      expect(errorOf(file)).toContain(
        'layer fc2.weight expects input 64 but fc1.weight outputs 128',
      )
    })

    it('non-finite values, with the flat index', () => {
      const w = new Float32Array(6)
      w[4] = NaN
      const file = write([
        { name: 'fc1.weight', dtype: 'F32', shape: [2, 3], data: w },
        { name: 'fc1.bias', dtype: 'F32', shape: [2], data: new Float32Array(2) },
      ])
      expect(errorOf(file)).toContain(
        'tensor "fc1.weight": value at flat index 4 (row 1, column 1) is NaN',
      )
      const b = new Float32Array([0, -Infinity])
      const file2 = write([
        { name: 'fc1.weight', dtype: 'F32', shape: [2, 3], data: new Float32Array(6) },
        { name: 'fc1.bias', dtype: 'F32', shape: [2], data: b },
      ])
      expect(errorOf(file2)).toContain('tensor "fc1.bias": value at flat index 1 is -Infinity')
      const big = write([
        { name: 'fc1.weight', dtype: 'F64', shape: [1, 1], data: new Float64Array([1e300]) },
        { name: 'fc1.bias', dtype: 'F64', shape: [1], data: new Float64Array(1) },
      ])
      expect(errorOf(big)).toContain('tensor "fc1.weight": value 1e+300 at flat index 0')
    })

    it('integer tensors', () => {
      const file = write([
        { name: 'fc1.weight', dtype: 'I32', shape: [1, 1], data: new Int32Array(1) },
        { name: 'fc1.bias', dtype: 'F32', shape: [1], data: new Float32Array(1) },
      ])
      expect(errorOf(file)).toContain('tensor "fc1.weight": dtype I32 is not floating point')
    })

    it('no layers at all', () => {
      expect(errorOf(write([]))).toContain('no layers')
    })

    it('a broken container', () => {
      const file = path.join(dir, 'short.safetensors')
      fs.writeFileSync(file, new Uint8Array(4))
      expect(errorOf(file)).toContain('too short')
    })
  })
})
