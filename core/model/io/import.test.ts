import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { exportModelSafetensors } from './export.ts'
import { importModel } from './import.ts'
import { tmpDir } from '../../../test/helpers/io-fixtures.ts'
import { thrown } from '../../../test/helpers/errors.ts'

const dir = tmpDir()

function writeTfjs(activation: string): string {
  const sub = fs.mkdtempSync(path.join(dir, 'tfjs-'))
  const topology = {
    class_name: 'Sequential',
    config: {
      layers: [
        {
          class_name: 'Dense',
          config: { name: 'h', units: 2, activation, batch_input_shape: [null, 3] },
        },
        { class_name: 'Dense', config: { name: 'o', units: 1, activation: 'linear' } },
      ],
    },
  }
  const weights = [
    { name: 'h/kernel', shape: [3, 2], dtype: 'float32' },
    { name: 'h/bias', shape: [2], dtype: 'float32' },
    { name: 'o/kernel', shape: [2, 1], dtype: 'float32' },
    { name: 'o/bias', shape: [1], dtype: 'float32' },
  ]
  fs.writeFileSync(path.join(sub, 'w.bin'), new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))
  const file = path.join(sub, 'Model.JSON')
  fs.writeFileSync(
    file,
    JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights }] }),
  )
  return file
}

describe('importModel', () => {
  it('reads .safetensors', () => {
    const file = path.join(dir, 'm.safetensors')
    exportModelSafetensors(
      {
        sizes: [2, 1],
        activation: 'tanh',
        layers: [
          { inDim: 2, outDim: 1, weight: new Float32Array([1, 2]), bias: new Float32Array([3]) },
        ],
      },
      file,
    )
    expect(importModel(file).activation).toBe('tanh')
    expect(importModel(file, 'gelu').activation).toBe('gelu')
  })

  it('reads tfjs .json (case-insensitive extension)', () => {
    const file = writeTfjs('tanh')
    const m = importModel(file)
    expect(m.sizes).toEqual([3, 2, 1])
    expect(m.activation).toBe('tanh')
    expect(Array.from(m.layers[0].weight)).toEqual([1, 3, 5, 2, 4, 6])
    expect(importModel(file, 'tanh').activation).toBe('tanh')
    const e = thrown(() => importModel(file, 'relu'))
    expect(e.message).toContain(`${file}: the model's hidden layers use tanh but activation relu`)
  })

  it('names the file and the supported formats for anything else', () => {
    for (const name of ['model.h5', 'model', 'weights.bin']) {
      const file = path.join(dir, name)
      const e = thrown(() => importModel(file))
      expect(e.code).toBe('INVALID_FILE')
      expect(e.message).toContain(file)
      expect(e.message).toContain('.safetensors')
      expect(e.message).toContain('.json')
    }
  })
})
