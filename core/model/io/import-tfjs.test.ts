import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { importTfjsModel } from './import-tfjs.ts'
import { tmpDir } from '../../../test/helpers/io-fixtures.ts'
import { thrown } from '../../../test/helpers/errors.ts'

interface Weight {
  name: string
  shape: number[]
  values: number[]
  dtype?: string
}

const layer = (class_name: string, config: Record<string, unknown>) => ({ class_name, config })
const dense = (name: string, units: number, activation: string, extra = {}) =>
  layer('Dense', { name, units, activation, use_bias: true, ...extra })

/** kernel[i][o] = base + 10·i + o, stored [in, out] row-major as Keras does. */
function kernel(name: string, inDim: number, outDim: number, base = 0): Weight {
  const values: number[] = []
  for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) values.push(base + 10 * i + o)
  return { name, shape: [inDim, outDim], values }
}

const bias = (name: string, values: number[]): Weight => ({ name, shape: [values.length], values })

/**
 * Writes model.json plus the weights split over shards at the given byte boundaries
 * (deliberately not multiples of 4). Returns the model.json path.
 */
function writeModel(
  topology: unknown,
  weights: Weight[],
  options: { splitAt?: number[]; truncate?: number; manifest?: unknown[] } = {},
): string {
  const dir = tmpDir()
  const bytes = Buffer.concat(
    weights.map((w) =>
      w.dtype === 'int32'
        ? Buffer.from(new Int32Array(w.values).buffer)
        : Buffer.from(new Float32Array(w.values).buffer),
    ),
  )
  const all = bytes.subarray(0, bytes.length - (options.truncate ?? 0))
  const cuts = [0, ...(options.splitAt ?? []), all.length]
  const paths: string[] = []
  for (let s = 0; s + 1 < cuts.length; s++) {
    const name = `group1-shard${s + 1}of${cuts.length - 1}.bin`
    fs.writeFileSync(path.join(dir, name), all.subarray(cuts[s], cuts[s + 1]))
    paths.push(name)
  }
  const manifest = options.manifest ?? [
    {
      paths,
      weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype ?? 'float32' })),
    },
  ]
  const file = path.join(dir, 'model.json')
  fs.writeFileSync(
    file,
    JSON.stringify({
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
      modelTopology: topology,
      weightsManifest: manifest,
    }),
  )
  return file
}

const sequential = (layers: unknown[]) => ({
  class_name: 'Sequential',
  config: { name: 'sequential_1', layers },
  keras_version: 'tfjs-layers 4.22.0',
  backend: 'tensor_flow.js',
})

const standardLayers = () => [
  layer('InputLayer', { name: 'input', batch_input_shape: [null, 2, 3], dtype: 'float32' }),
  layer('Flatten', { name: 'flatten' }),
  dense('hidden', 4, 'relu'),
  layer('Dropout', { name: 'dropout', rate: 0.5 }),
  dense('out', 2, 'linear'),
]

const standardWeights = () => [
  kernel('hidden/kernel', 6, 4),
  bias('hidden/bias', [0.5, 1.5, 2.5, 3.5]),
  kernel('out/kernel', 4, 2, 100),
  bias('out/bias', [-1, -2]),
]

function errorOf(file: string): string {
  const e = thrown(() => importTfjsModel(file))
  expect(e.code).toBe('INVALID_FILE')
  return e.message
}

describe('importTfjsModel', () => {
  it('imports InputLayer/Flatten/Dense relu/Dropout/Dense linear with kernels transposed', () => {
    const file = writeModel(sequential(standardLayers()), standardWeights(), { splitAt: [50, 51] })
    const m = importTfjsModel(file)
    expect(m.sizes).toEqual([6, 4, 2])
    expect(m.activation).toBe('relu')
    const [h, o] = m.layers
    expect([h.outDim, h.inDim, o.outDim, o.inDim]).toEqual([4, 6, 2, 4])
    // weight[out][in] = kernel[in][out] = 10·in + out
    expect(h.weight[0]).toBe(0)
    expect(h.weight[1 * 6 + 5]).toBe(51) // out 1, in 5
    expect(h.weight[3 * 6 + 0]).toBe(3) // out 3, in 0
    expect(h.weight[2 * 6 + 4]).toBe(42)
    expect(o.weight[1 * 4 + 3]).toBe(131)
    expect(o.weight[0 * 4 + 2]).toBe(120)
    expect(Array.from(h.bias)).toEqual([0.5, 1.5, 2.5, 3.5])
    expect(Array.from(o.bias)).toEqual([-1, -2])
    expect(h.weight).toBeInstanceOf(Float32Array)
  })

  it('accepts model_config wrapping a functional Model, prefixed weight names, no bias, softmax', () => {
    const topology = {
      model_config: {
        class_name: 'Model',
        config: {
          name: 'model',
          layers: [
            { class_name: 'InputLayer', name: 'in', config: { batch_input_shape: [null, 3] } },
            {
              class_name: 'Dense',
              name: 'd1',
              config: { name: 'd1', units: 2, activation: 'tanh', use_bias: false },
              inbound_nodes: [[['in', 0, 0, {}]]],
            },
            {
              class_name: 'Dense',
              name: 'd2',
              config: { name: 'd2', units: 3, activation: 'softmax' },
              inbound_nodes: [[['d1', 0, 0, {}]]],
            },
          ],
        },
      },
      keras_version: '2.15.0',
    }
    const file = writeModel(topology, [
      kernel('model/d1/kernel', 3, 2),
      kernel('model/d2/kernel', 2, 3, 7),
      bias('model/d2/bias', [1, 2, 3]),
    ])
    const m = importTfjsModel(file)
    expect(m.sizes).toEqual([3, 2, 3])
    expect(m.activation).toBe('tanh')
    expect(Array.from(m.layers[0].bias)).toEqual([0, 0])
    expect(m.layers[1].weight[2 * 2 + 1]).toBe(7 + 10 + 2)
  })

  describe('errors name the file and the layer or weight', () => {
    it('a missing shard file', () => {
      const file = writeModel(sequential(standardLayers()), standardWeights(), { splitAt: [40] })
      const shard = path.join(path.dirname(file), 'group1-shard2of2.bin')
      fs.rmSync(shard)
      const e = thrown(() => importTfjsModel(file))
      expect(e.where).toBe(shard)
      expect(e.message).toContain('group1-shard2of2.bin')
      expect(e.message).toContain(file)
      expect(e.message).toContain('layer "hidden" (Dense)')
    })

    it('shards that resolve outside the model folder: ../, absolute, a symlink out (D3)', () => {
      const weights = standardWeights()
      const base = writeModel(sequential(standardLayers()), weights)
      const modelDir = path.dirname(base)
      const secret = path.join(path.dirname(modelDir), `secret-${path.basename(modelDir)}.bin`)
      fs.copyFileSync(path.join(modelDir, 'group1-shard1of1.bin'), secret)
      fs.symlinkSync(secret, path.join(modelDir, 'link.bin'))
      const entries = weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' }))
      for (const shard of [`../${path.basename(secret)}`, secret, 'link.bin', 'sub/../../x.bin']) {
        const file = writeModel(sequential(standardLayers()), weights, {
          manifest: [{ paths: [shard], weights: entries }],
        })
        fs.renameSync(file, path.join(modelDir, 'escape.json'))
        const moved = path.join(modelDir, 'escape.json')
        const e = thrown(() => importTfjsModel(moved))
        expect(e.code).toBe('INVALID_FILE')
        expect(e.message).toBe(
          `${moved}: weightsManifest[0].paths: shard "${shard}" resolves outside the model's folder ${modelDir}; shards must be files in model.json's folder`,
        )
      }
      fs.rmSync(secret)
    })

    it('a shard that is a FIFO, a directory or a device is refused without reading it (D4)', () => {
      const weights = standardWeights()
      const entries = weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' }))
      const file = writeModel(sequential(standardLayers()), weights, {
        manifest: [{ paths: ['pipe.bin'], weights: entries }],
      })
      const modelDir = path.dirname(file)
      execFileSync('mkfifo', [path.join(modelDir, 'pipe.bin')])
      expect(errorOf(file)).toMatch(
        /pipe\.bin: cannot read weight shard "pipe\.bin" .*: is a FIFO \(named pipe\), not a regular file$/,
      )
      fs.rmSync(path.join(modelDir, 'pipe.bin'))
      fs.mkdirSync(path.join(modelDir, 'pipe.bin'))
      expect(errorOf(file)).toMatch(
        /cannot read weight shard "pipe\.bin" .*: is a directory, not a file$/,
      )
    })

    it('a shard shorter than needed', () => {
      const file = writeModel(sequential(standardLayers()), standardWeights(), { truncate: 4 })
      const msg = errorOf(file)
      expect(msg).toContain(file)
      expect(msg).toContain('weight "out/bias" needs bytes [144, 152) of weight group 0')
      expect(msg).toContain('hold only 148 bytes')
    })

    it('shards longer than the manifest says', () => {
      const weights = standardWeights()
      const file = writeModel(sequential(standardLayers()), [...weights, bias('junk', [1])], {
        manifest: [
          {
            paths: ['group1-shard1of1.bin'],
            weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
          },
        ],
      })
      expect(errorOf(file)).toContain(
        "weight group 0's shards (group1-shard1of1.bin) hold 156 bytes but its manifest weights need 152",
      )
    })

    it('a topology weight not in the manifest', () => {
      const weights = standardWeights()
      weights[2].name = 'output/kernel'
      expect(errorOf(writeModel(sequential(standardLayers()), weights))).toContain(
        'layer "out" (Dense): weight "out/kernel" not found in weightsManifest (it has "hidden/kernel", "hidden/bias", "output/kernel", "out/bias")',
      )
    })

    it('a weight of the wrong shape', () => {
      const weights = standardWeights()
      weights[2] = kernel('out/kernel', 2, 4)
      expect(errorOf(writeModel(sequential(standardLayers()), weights))).toContain(
        'layer "out" (Dense): weight "out/kernel" has shape [2, 4]; expected [in, 2]',
      )
      const weights2 = standardWeights()
      weights2[2] = kernel('out/kernel', 3, 2)
      expect(errorOf(writeModel(sequential(standardLayers()), weights2))).toContain(
        'weight "out/kernel" has shape [3, 2], expecting input 3, but layer "hidden" (Dense) outputs 4',
      )
      const weights3 = standardWeights()
      weights3[1] = bias('hidden/bias', [1, 2, 3])
      weights3[2] = kernel('out/kernel', 4, 2)
      const msg = errorOf(writeModel(sequential(standardLayers()), weights3))
      expect(msg).toContain(
        'layer "hidden" (Dense): weight "hidden/bias" has shape [3]; expected [4]',
      )
    })

    it('a dtype other than float32', () => {
      const weights = standardWeights()
      weights[1] = { ...weights[1], dtype: 'int32' }
      expect(errorOf(writeModel(sequential(standardLayers()), weights))).toContain(
        'layer "hidden" (Dense): weight "hidden/bias" has dtype int32; expected float32',
      )
    })

    it('non-finite values', () => {
      const weights = standardWeights()
      weights[2].values[5] = NaN
      expect(errorOf(writeModel(sequential(standardLayers()), weights))).toContain(
        'layer "out" (Dense): weight "out/kernel": value at flat index 5 is NaN',
      )
    })

    it('an unsupported layer class', () => {
      const layers = standardLayers()
      layers.splice(1, 0, layer('Conv2D', { name: 'conv', filters: 3 }))
      expect(errorOf(writeModel(sequential(layers), standardWeights()))).toContain(
        'layer "conv" (Conv2D): layer class Conv2D is not supported',
      )
    })

    it('a Flatten whose output does not match the first Dense', () => {
      const layers = standardLayers()
      layers[0] = layer('InputLayer', { name: 'input', batch_input_shape: [null, 2, 4] })
      expect(errorOf(writeModel(sequential(layers), standardWeights()))).toContain(
        'layer "hidden" (Dense): weight "hidden/kernel" has shape [6, 4], expecting input 6, but layer "flatten" (Flatten) outputs 8',
      )
      const noFlatten = standardLayers().filter((l) => l.class_name !== 'Flatten')
      expect(errorOf(writeModel(sequential(noFlatten), standardWeights()))).toContain(
        'layer "hidden" (Dense) receives features of shape [2, 3]',
      )
    })

    it('unsupported or mixed activations', () => {
      const sig = standardLayers()
      sig[2] = dense('hidden', 4, 'sigmoid')
      expect(errorOf(writeModel(sequential(sig), standardWeights()))).toContain(
        'layer "hidden" (Dense): hidden activation "sigmoid" is not supported',
      )
      const lastRelu = standardLayers()
      lastRelu[4] = dense('out', 2, 'relu')
      expect(errorOf(writeModel(sequential(lastRelu), standardWeights()))).toContain(
        'layer "out" (Dense) is the output layer and must be linear (or softmax, whose logits are used), got "relu"',
      )
      const mixed = sequential([
        dense('a', 3, 'relu', { batch_input_shape: [null, 2] }),
        dense('b', 3, 'tanh'),
        dense('c', 1, 'linear'),
      ])
      const weights = [
        kernel('a/kernel', 2, 3),
        bias('a/bias', [0, 0, 0]),
        kernel('b/kernel', 3, 3),
        bias('b/bias', [0, 0, 0]),
        kernel('c/kernel', 3, 1),
        bias('c/bias', [0]),
      ]
      expect(errorOf(writeModel(mixed, weights))).toContain(
        'layer "b" (Dense) uses activation "tanh" but layer "a" (Dense) uses "relu"',
      )
    })

    it('not a LayersModel', () => {
      const dir = tmpDir()
      const file = path.join(dir, 'model.json')
      fs.writeFileSync(file, '{"format": "graph-model", "modelTopology": {"node": []}}')
      expect(errorOf(file)).toContain('modelTopology class undefined is not supported')
      fs.writeFileSync(file, 'nope')
      expect(errorOf(file)).toContain(`${file}: not valid JSON`)
      expect(errorOf(path.join(dir, 'missing.json'))).toContain('missing.json: file not found')
      fs.writeFileSync(file, '[{"modelTopology": {}}]')
      expect(errorOf(file)).toContain(
        `${file}: the top level must be a JSON object (a tfjs model.json), found an array`,
      )
      expect(errorOf(writeModel(sequential([layer('Flatten', {})]), []))).toContain(
        'no Dense layers',
      )
    })
  })
})
