import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CaseContext, MalformedCase } from '../corpus.ts'
import {
  QUICK,
  at,
  fifo,
  folder,
  json,
  mlpTensors,
  rawSafetensors,
  runCli,
  safetensorsBytes,
  write,
} from '../inputs-helpers.ts'

/**
 * Model files (issue 13: trust-inputs): malformed safetensors (header, dtypes, offsets,
 * layer shapes, values) and tfjs model.json files (manifest, shards that escape the folder,
 * are missing, short, long, not regular), each imported by the real CLI
 * (`basiscope run quick.json --model FILE`) and refused naming the file and the problem.
 */

/** `run quick.json --model <file>`; the quick config keeps a wrongly accepted model fast. */
function importing(ctx: CaseContext, file: string) {
  write(ctx, 'quick.json', json({ ...QUICK, model: undefined }))
  return runCli(ctx, [at(ctx, 'quick.json'), '--model', file])
}

/** A safetensors case: bytes written as m.safetensors, refused naming it and `problem`. */
function st(
  id: string,
  bytes: () => Uint8Array,
  problem: string | RegExp,
  exitCode = 2,
): MalformedCase {
  return {
    id: `model/safetensors-${id}`,
    setup: (ctx) => void write(ctx, 'm.safetensors', bytes()),
    run: (ctx) => importing(ctx, at(ctx, 'm.safetensors')),
    mentions: ['m.safetensors', problem],
    exitCode,
    mayCreate: ['quick.json'],
  }
}

const F32 = (shape: number[], begin: number) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, begin + 4 * shape.reduce((p, d) => p * d, 1)],
})

/** A valid tensor list with one change. */
function tensors(change: (t: ReturnType<typeof mlpTensors>) => void) {
  return () => {
    const t = mlpTensors()
    change(t)
    return safetensorsBytes(t)
  }
}

const safetensors: MalformedCase[] = [
  st('empty-file', () => new Uint8Array(0), 'too short'),
  st('five-bytes', () => new Uint8Array([1, 2, 3, 4, 5]), 'too short'),
  st('header-past-end', () => rawSafetensors('{}', new Uint8Array(0), 1000n), 'runs past the end'),
  st(
    'header-length-2-to-63',
    () => rawSafetensors('{}', new Uint8Array(0), 1n << 63n),
    'runs past the end',
  ),
  st(
    'header-not-utf8',
    () => rawSafetensors(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1')),
    /header is not (valid UTF-8|JSON)/,
  ),
  st('header-not-json', () => rawSafetensors('{"a": '), 'header is not JSON'),
  st('header-array', () => rawSafetensors('[]'), 'not a JSON object'),
  st('header-null', () => rawSafetensors('null'), 'not a JSON object'),
  st('entry-not-object', () => rawSafetensors({ 'fc1.weight': 5 }), 'entry is not an object'),
  st(
    'missing-dtype',
    () => rawSafetensors({ 'fc1.weight': { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
    'missing "dtype"',
  ),
  st(
    'missing-offsets',
    () => rawSafetensors({ 'fc1.weight': { dtype: 'F32', shape: [1] } }, new Uint8Array(4)),
    'missing "data_offsets"',
  ),
  st(
    'unknown-dtype',
    () =>
      rawSafetensors(
        { 'fc1.weight': { dtype: 'F8', shape: [1], data_offsets: [0, 1] } },
        new Uint8Array(1),
      ),
    'unknown dtype',
  ),
  st(
    'integer-weights',
    tensors((t) => (t[0] = { ...t[0], dtype: 'I32', data: new Int32Array(4 * 784) })),
    'not floating point',
  ),
  st(
    'shape-not-array',
    () =>
      rawSafetensors({ w: { dtype: 'F32', shape: 4, data_offsets: [0, 16] } }, new Uint8Array(16)),
    '"shape" must be an array',
  ),
  st(
    'shape-negative',
    () =>
      rawSafetensors(
        { w: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } },
        new Uint8Array(16),
      ),
    '"shape" must be an array',
  ),
  st(
    'offsets-reversed',
    () =>
      rawSafetensors(
        { w: { dtype: 'F32', shape: [4], data_offsets: [16, 0] } },
        new Uint8Array(16),
      ),
    '"data_offsets" must be [begin, end]',
  ),
  st(
    'offsets-past-data',
    () => rawSafetensors({ w: F32([1000, 1000], 0) }, new Uint8Array(64)),
    'run past the end of the data buffer',
  ),
  st(
    'shape-offset-mismatch',
    () =>
      rawSafetensors(
        { w: { dtype: 'F32', shape: [5], data_offsets: [0, 16] } },
        new Uint8Array(16),
      ),
    'needs 20',
  ),
  st(
    'overlapping-tensors',
    () => rawSafetensors({ a: F32([4], 0), b: F32([4], 8) }, new Uint8Array(24)),
    'overlap',
  ),
  st(
    'hole-in-buffer',
    () => rawSafetensors({ a: F32([2], 0), b: F32([2], 16) }, new Uint8Array(24)),
    'belong to no tensor',
  ),
  st(
    'trailing-bytes',
    () => rawSafetensors({ a: F32([2], 0) }, new Uint8Array(12)),
    'unused trailing bytes',
  ),
  st(
    'metadata-not-strings',
    () => rawSafetensors({ __metadata__: { activation: 3 }, a: F32([1], 0) }, new Uint8Array(4)),
    '__metadata__',
  ),
  st('no-tensors', () => rawSafetensors({}), 'no layers'),
  st(
    'not-a-state-dict',
    tensors((t) => (t[0] = { ...t[0], name: 'fc1.w' })),
    'is not a layer weight or bias',
  ),
  st(
    'weight-without-bias',
    tensors((t) => t.splice(1, 1)),
    'has no matching bias',
  ),
  st(
    'bias-without-weight',
    tensors((t) => t.splice(0, 1)),
    'has no matching weight',
  ),
  st(
    'weight-one-dimensional',
    tensors((t) => (t[0] = { ...t[0], shape: [4 * 784] })),
    'is not 2-D',
  ),
  st(
    'weight-zero-dimension',
    tensors((t) => (t[2] = { ...t[2], shape: [10, 0], data: new Float32Array(0) })),
    'zero dimension',
  ),
  st(
    'bias-wrong-shape',
    tensors((t) => (t[1] = { ...t[1], shape: [2, 2] })),
    'does not fit',
  ),
  st(
    'layers-do-not-chain',
    tensors((t) => {
      t[2] = { ...t[2], shape: [10, 5], data: new Float32Array(50) }
    }),
    'fc2.weight',
  ),
  st(
    'input-not-784',
    () => {
      const t = mlpTensors()
      t[0] = { ...t[0], shape: [4, 100], data: new Float32Array(400) }
      return safetensorsBytes(t)
    },
    /784|inputs|pixels/,
  ),
  st(
    'output-not-10',
    () => {
      const t = mlpTensors()
      t[2] = { ...t[2], shape: [7, 4], data: new Float32Array(28) }
      t[3] = { ...t[3], shape: [7], data: new Float32Array(7) }
      return safetensorsBytes(t)
    },
    /10|classes|outputs/,
  ),
  st(
    'nan-weight',
    tensors((t) => ((t[0].data as Float32Array)[5] = NaN)),
    'is NaN',
  ),
  st(
    'infinite-bias',
    tensors((t) => ((t[1].data as Float32Array)[0] = Infinity)),
    'is Infinity',
  ),
  st(
    'f64-too-large-for-f32',
    tensors((t) => {
      const data = new Float64Array(10).fill(0.5)
      data[3] = 1e300
      t[3] = { ...t[3], dtype: 'F64', data }
    }),
    'does not fit in float32',
  ),
  st(
    'metadata-activation-unknown',
    () => {
      const bytes = safetensorsBytes(mlpTensors())
      const n = Number(Buffer.from(bytes).readBigUInt64LE(0))
      const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'))
      header.__metadata__ = { activation: 'sigmoid' }
      return rawSafetensors(header, bytes.subarray(8 + n))
    },
    'sigmoid',
  ),
  // D12: every value fits float32, their products do not — the run fails (exit 1).
  st(
    'weights-overflow-float32',
    tensors((t) => t.forEach((x) => (x.data as Float32Array).fill(3e38))),
    'overflowed float32',
    1,
  ),
]

/** A model file `name` made by `make` (not regular, missing, …), refused naming it and `problem`. */
function modelFile(
  id: string,
  name: string,
  make: (ctx: CaseContext) => void,
  problem: string,
): MalformedCase {
  return {
    id: `model/${id}`,
    setup: make,
    run: (ctx) => importing(ctx, at(ctx, name)),
    mentions: [name, problem],
    mayCreate: ['quick.json'],
  }
}

const notRegular: MalformedCase[] = [
  modelFile('safetensors-fifo', 'm.safetensors', (ctx) => void fifo(ctx, 'm.safetensors'), 'FIFO'),
  modelFile(
    'safetensors-directory',
    'm.safetensors',
    (ctx) => void folder(ctx, 'm.safetensors'),
    'is a directory',
  ),
  modelFile(
    'safetensors-dev-zero',
    'm.safetensors',
    (ctx) => symlinkSync('/dev/zero', at(ctx, 'm.safetensors')),
    'is a device',
  ),
  modelFile('missing-file', 'none.safetensors', () => {}, 'file not found'),
  modelFile(
    'unsupported-extension',
    'm.pt',
    (ctx) => void write(ctx, 'm.pt', 'PK'),
    'unsupported model file extension',
  ),
]

// ---------------------------------------------------------------- tfjs model.json

interface TfjsModel {
  json: Record<string, unknown>
  /** Shard file name → bytes. */
  shards: Record<string, Uint8Array>
}

/** A valid 784 → 4 → 10 tfjs LayersModel, one shard. */
function tfjsModel(): TfjsModel {
  const dense = (name: string, units: number, activation: string, extra = {}) => ({
    class_name: 'Dense',
    config: { name, units, activation, use_bias: true, ...extra },
  })
  const weights = [
    { name: 'hidden/kernel', shape: [784, 4], dtype: 'float32' },
    { name: 'hidden/bias', shape: [4], dtype: 'float32' },
    { name: 'out/kernel', shape: [4, 10], dtype: 'float32' },
    { name: 'out/bias', shape: [10], dtype: 'float32' },
  ]
  const values = new Float32Array(784 * 4 + 4 + 40 + 10).fill(0.01)
  return {
    json: {
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
      modelTopology: {
        class_name: 'Sequential',
        config: {
          layers: [
            dense('hidden', 4, 'relu', { batch_input_shape: [null, 784] }),
            dense('out', 10, 'linear'),
          ],
        },
      },
      weightsManifest: [{ paths: ['w.bin'], weights }],
    },
    shards: { 'w.bin': new Uint8Array(values.buffer) },
  }
}

/** Layer i's config in the topology, to change. */
const layerConfig = (m: TfjsModel, i: number): Record<string, unknown> =>
  (m.json.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config
    .layers[i].config

/** The manifest's first group, to change. */
const group = (m: TfjsModel) =>
  (m.json.weightsManifest as { paths: string[]; weights: Record<string, unknown>[] }[])[0]

function writeTfjs(ctx: CaseContext, m: TfjsModel): void {
  const dir = folder(ctx, 'model')
  writeFileSync(join(dir, 'model.json'), json(m.json))
  for (const [name, bytes] of Object.entries(m.shards)) writeFileSync(join(dir, name), bytes)
}

/** A tfjs case: the model (changed by `change`, `after` for files) refused naming `problem`. */
function tf(
  id: string,
  change: (m: TfjsModel) => void,
  problem: string | RegExp,
  after?: (ctx: CaseContext, dir: string) => void,
): MalformedCase {
  return {
    id: `model/tfjs-${id}`,
    setup(ctx) {
      const m = tfjsModel()
      change(m)
      writeTfjs(ctx, m)
      after?.(ctx, at(ctx, 'model'))
    },
    run: (ctx) => importing(ctx, join(at(ctx, 'model'), 'model.json')),
    mentions: ['model.json', problem],
    mayCreate: ['quick.json'],
  }
}

const tfjs: MalformedCase[] = [
  tf('root-array', (m) => (m.json = [m.json] as never), 'top level must be a JSON object'),
  tf('missing-topology', (m) => delete m.json.modelTopology, 'modelTopology'),
  tf('missing-manifest', (m) => delete m.json.weightsManifest, 'missing "weightsManifest" array'),
  tf(
    'manifest-not-array',
    (m) => (m.json.weightsManifest = { paths: ['w.bin'] }),
    'missing "weightsManifest" array',
  ),
  tf(
    'group-without-paths',
    (m) => delete (group(m) as Partial<ReturnType<typeof group>>).paths,
    'weightsManifest[0]',
  ),
  tf('shard-path-empty', (m) => (group(m).paths = ['']), 'weightsManifest[0].paths'),
  tf(
    'shard-escapes-with-dotdot',
    (m) => (group(m).paths = ['../secret.bin']),
    "resolves outside the model's folder",
    (ctx) => void write(ctx, 'secret.bin', new Uint8Array(3190 * 4)),
  ),
  tf(
    'shard-absolute-path',
    (m) => (group(m).paths = ['/etc/hostname']),
    '"/etc/hostname" resolves outside',
  ),
  tf(
    'shard-symlink-out',
    (m) => (group(m).paths = ['link.bin']),
    '"link.bin" resolves outside',
    (ctx, dir) => {
      write(ctx, 'outside.bin', new Uint8Array(3190 * 4))
      symlinkSync(at(ctx, 'outside.bin'), join(dir, 'link.bin'))
    },
  ),
  tf(
    'shard-symlink-dev-zero',
    (m) => (group(m).paths = ['zero.bin']),
    '"zero.bin" resolves outside',
    (_ctx, dir) => symlinkSync('/dev/zero', join(dir, 'zero.bin')),
  ),
  tf('shard-missing', (m) => (m.shards = {}), 'w.bin'),
  tf(
    'shard-short',
    (m) => (m.shards['w.bin'] = m.shards['w.bin'].subarray(0, 100)),
    'hold only 100 bytes',
  ),
  tf(
    'shard-long',
    (m) => (m.shards['w.bin'] = new Uint8Array(3190 * 4 + 8)),
    'the manifest does not match the weight files',
  ),
  tf(
    'shard-fifo',
    (m) => (m.shards = {}),
    'FIFO',
    (ctx) => void fifo(ctx, 'model/w.bin'),
  ),
  tf(
    'shard-directory',
    (m) => (m.shards = {}),
    'is a directory',
    (ctx) => void folder(ctx, 'model/w.bin'),
  ),
  tf('kernel-int32', (m) => (group(m).weights[0].dtype = 'int32'), 'expected float32'),
  tf(
    'kernel-quantized',
    (m) => (group(m).weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }),
    'quantized',
  ),
  tf('kernel-wrong-shape', (m) => (group(m).weights[0].shape = [784, 5]), 'hidden/kernel'),
  tf('duplicate-weight', (m) => group(m).weights.push({ ...group(m).weights[0] }), 'appears twice'),
  tf(
    'conv-layer',
    (m) =>
      (m.json.modelTopology as { config: { layers: unknown[] } }).config.layers.unshift({
        class_name: 'Conv2D',
        config: { name: 'c' },
      }),
    'Conv2D',
  ),
  tf('hidden-sigmoid', (m) => (layerConfig(m, 0).activation = 'sigmoid'), 'sigmoid'),
  tf('output-relu', (m) => (layerConfig(m, 1).activation = 'relu'), 'must be linear'),
  tf(
    'units-fraction',
    (m) => (layerConfig(m, 0).units = 4.5),
    '"units" must be a positive integer',
  ),
  tf(
    'nan-in-shard',
    (m) => {
      const v = new Float32Array(3190).fill(0.01)
      v[10] = NaN
      m.shards['w.bin'] = new Uint8Array(v.buffer)
    },
    'is NaN',
  ),
]

const tfjsFiles: MalformedCase[] = [
  modelFile('tfjs-model-json-fifo', 'model.json', (ctx) => void fifo(ctx, 'model.json'), 'FIFO'),
  modelFile(
    'tfjs-model-json-directory',
    'model.json',
    (ctx) => void folder(ctx, 'model.json'),
    'is a directory',
  ),
  modelFile(
    'tfjs-model-json-not-json',
    'model.json',
    (ctx) => void write(ctx, 'model.json', '<html>'),
    'not valid JSON',
  ),
]

export const cases: MalformedCase[] = [...safetensors, ...notRegular, ...tfjs, ...tfjsFiles]
