import { symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { BasiscopeService } from '../../../core/service/service.ts'
import type { CaseContext, MalformedCase, Outcome } from '../corpus.ts'
import {
  QUICK,
  at,
  cli,
  fifo,
  folder,
  json,
  mlpTensors,
  runCli,
  safetensorsBytes,
  scratch,
  write,
} from '../inputs-helpers.ts'

/**
 * Data files (issue 13: trust-inputs): split files (wrong types, indices out of range,
 * duplicates, overlaps, empty lists, lists too short for the counts), MNIST IDX files (bad
 * magic, element type, dimensions against the file size, counts, truncation, gzip), presets
 * (read by the service), and each kind as a FIFO, a directory and /dev/zero. Split and IDX
 * files go through the real CLI (`basiscope run`, `basiscope eval`), presets through the
 * service's `config.presets`.
 */

// ---------------------------------------------------------------- split files

const indices = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)
const GOOD_SPLIT = { train: indices(0, 60), test: indices(60, 30) }

/** `run c.json` whose data.split is the file split.json beside it. */
function runWithSplit(ctx: CaseContext, config: Record<string, unknown> = {}): Promise<Outcome> {
  const doc = {
    ...QUICK,
    data: { source: 'mnist-embedded', split: { kind: 'file', file: 'split.json' } },
    ...config,
  }
  write(ctx, 'c.json', json(doc))
  return runCli(ctx, [at(ctx, 'c.json')])
}

function split(id: string, content: unknown, problem: string | RegExp, config = {}): MalformedCase {
  return {
    id: `split/${id}`,
    setup: (ctx) =>
      void write(ctx, 'split.json', typeof content === 'string' ? content : json(content)),
    run: (ctx) => runWithSplit(ctx, config),
    mentions: ['split.json', problem],
    mayCreate: ['c.json'],
  }
}

function splitFile(id: string, make: (ctx: CaseContext) => void, problem: string): MalformedCase {
  return {
    id: `split/${id}`,
    setup: make,
    run: (ctx) => runWithSplit(ctx),
    mentions: ['split.json', problem],
    mayCreate: ['c.json'],
  }
}

const splits: MalformedCase[] = [
  split('root-array', [[0, 1], [2]], 'found an array'),
  split('root-null', null, 'found null'),
  split('root-number', 7, 'found number 7'),
  split('not-json', '{"train": [1, 2', 'not valid JSON'),
  split('empty-file', '', 'not valid JSON'),
  split(
    'utf16-encoded',
    Buffer.from('{"train":[0],"test":[1]}', 'utf16le').toString('latin1'),
    'not valid JSON',
  ),
  split('missing-train', { test: [1] }, 'missing "train"'),
  split('missing-test', { train: [1] }, 'missing "test"'),
  split('train-a-string', { train: '0-59', test: [60] }, '"train" must be an array'),
  split('test-an-object', { train: [0], test: { from: 1 } }, '"test" must be an array'),
  split('train-empty', { train: [], test: [1] }, '"train" is empty'),
  split('test-empty', { train: [0], test: [] }, '"test" is empty'),
  split('index-fraction', { train: [0, 1.5], test: [2] }, 'train[1] is number 1.5'),
  split('index-string', { train: [0], test: ['3'] }, 'test[0] is the string "3"'),
  split('index-null', { train: [0, null], test: [3] }, 'train[1] is null'),
  split('index-boolean', { train: [true], test: [3] }, 'train[0] is boolean true'),
  split('index-nested-array', { train: [[1, 2]], test: [3] }, 'train[0] is an array'),
  split('index-negative', { train: [-1], test: [3] }, 'train[0] = -1 is out of range'),
  split('index-past-dataset', { train: [0], test: [10000] }, 'test[0] = 10000 is out of range'),
  split('index-huge', { train: [1e300], test: [3] }, 'train[0] = 1e+300 is out of range'),
  split(
    'duplicate-in-train',
    { train: [4, 5, 4], test: [3] },
    'train[2] = 4 is a duplicate of train[0]',
  ),
  split('duplicate-in-test', { train: [0], test: [3, 3] }, 'test[1] = 3 is a duplicate of test[0]'),
  split('train-test-overlap', { train: [0, 1, 2], test: [2] }, 'test[0] = 2 also appears in train'),
  // Metadata keys are accepted (with a warning), the lists are still checked.
  split(
    'metadata-with-bad-list',
    { description: 'x', n_total: 3, train: [0, 0], test: [1] },
    'train[1] = 0 is a duplicate',
  ),
  // D11: counts set larger than the file's lists are refused before any training.
  split('held-out-over-test-list', GOOD_SPLIT, 'evaluation.heldOutSamples', {
    evaluation: { heldOutSamples: 31 },
  }),
  split('samples-over-train-list', GOOD_SPLIT, 'rotation.samples', {
    rotation: { ...QUICK.rotation, samples: 61 },
  }),
  splitFile('fifo', (ctx) => void fifo(ctx, 'split.json'), 'FIFO'),
  splitFile('directory', (ctx) => void folder(ctx, 'split.json'), 'is a directory'),
  splitFile('dev-zero', (ctx) => symlinkSync('/dev/zero', at(ctx, 'split.json')), 'is a device'),
  splitFile('missing', () => {}, 'file not found'),
  splitFile(
    'larger-than-64-MiB',
    (ctx) => {
      writeFileSync(at(ctx, 'split.json'), '')
      truncateSync(at(ctx, 'split.json'), 65 * 1024 * 1024)
    },
    'more than the 64 MiB allowed for a split file',
  ),
]

/** `basiscope eval` reads split files through the same reader. */
function evalSplit(id: string, make: (ctx: CaseContext) => void, problem: string): MalformedCase {
  return {
    id: `split/eval-${id}`,
    setup(ctx) {
      write(ctx, 'm.safetensors', safetensorsBytes(mlpTensors()))
      make(ctx)
    },
    run: (ctx) =>
      cli(['eval', '--model', at(ctx, 'm.safetensors'), '--split', at(ctx, 'split.json')]),
    mentions: ['split.json', problem],
  }
}

const evalSplits: MalformedCase[] = [
  // D12 in eval: weights whose products overflow float32 fail (exit 1), never NaN metrics.
  {
    id: 'model/eval-weights-overflow-float32',
    setup: (ctx) => void write(ctx, 'm.safetensors', safetensorsBytes(mlpTensors(4, 3e38))),
    run: (ctx) => cli(['eval', '--model', at(ctx, 'm.safetensors')]),
    mentions: ['m.safetensors', 'overflowed float32'],
    exitCode: 1,
  },
  evalSplit('fifo', (ctx) => void fifo(ctx, 'split.json'), 'FIFO'),
  evalSplit(
    'root-string',
    (ctx) => void write(ctx, 'split.json', '"all"'),
    'found the string "all"',
  ),
  evalSplit(
    'overlap',
    (ctx) => void write(ctx, 'split.json', json({ train: [1], test: [1] })),
    'also appears in train',
  ),
]

// ---------------------------------------------------------------- IDX files

/** An IDX file: big-endian magic, dimensions, data. */
function idx(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header.writeUInt32BE(magic, 0)
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k))
  return Buffer.concat([header, data])
}
const images = (n: number, side = 28) =>
  idx(0x803, [n, side, side], new Uint8Array(n * side * side).fill(7))
const labels = (n: number) =>
  idx(
    0x801,
    [n],
    new Uint8Array(n).map((_, i) => i % 10),
  )

const IDX_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const
type IdxFile = keyof typeof IDX_NAMES

/** Four valid IDX files (12 train, 6 test), with `bad` replacing one. */
function writeIdx(
  ctx: CaseContext,
  bad: Partial<Record<IdxFile, Buffer>>,
  skip: IdxFile[] = [],
): void {
  const good: Record<IdxFile, Buffer> = {
    trainImages: images(12),
    trainLabels: labels(12),
    testImages: images(6),
    testLabels: labels(6),
  }
  for (const key of Object.keys(IDX_NAMES) as IdxFile[]) {
    if (skip.includes(key)) continue
    write(ctx, IDX_NAMES[key], bad[key] ?? good[key])
  }
}

function runIdx(ctx: CaseContext): Promise<Outcome> {
  write(
    ctx,
    'c.json',
    json({
      ...QUICK,
      data: { source: 'mnist-idx', ...IDX_NAMES },
      rotation: { ...QUICK.rotation, samples: 5 },
    }),
  )
  return runCli(ctx, [at(ctx, 'c.json')])
}

function idxCase(
  id: string,
  file: IdxFile,
  bytes: Buffer | null,
  problem: string | RegExp,
  after?: (ctx: CaseContext) => void,
): MalformedCase {
  return {
    id: `idx/${id}`,
    setup(ctx) {
      writeIdx(ctx, bytes ? { [file]: bytes } : {}, bytes ? [] : [file])
      after?.(ctx)
    },
    run: runIdx,
    mentions: [IDX_NAMES[file], problem],
    mayCreate: ['c.json'],
  }
}

/** A gzip stream of `bytes` whose trailer claims `claimed` bytes. */
function lyingGzip(bytes: Buffer, claimed: number): Buffer {
  const gz = gzipSync(bytes)
  gz.writeUInt32LE(claimed, gz.length - 4)
  return gz
}

const idxFiles: MalformedCase[] = [
  idxCase(
    'bad-magic',
    'trainImages',
    idx(0x12345678, [12, 28, 28], new Uint8Array(12 * 784)),
    'not an IDX file',
  ),
  idxCase(
    'images-and-labels-swapped',
    'trainImages',
    labels(12),
    'are the images and labels files swapped',
  ),
  idxCase(
    'float32-element-type',
    'testImages',
    idx(0xd03, [6, 28, 28], new Uint8Array(6 * 784 * 4)),
    'float32',
  ),
  idxCase(
    'four-dimensions',
    'trainImages',
    idx(0x804, [12, 28, 28, 1], new Uint8Array(12 * 784)),
    'wrong number of dimensions',
  ),
  idxCase(
    'labels-two-dimensions',
    'testLabels',
    idx(0x802, [6, 1], new Uint8Array(6)),
    'wrong number of dimensions',
  ),
  idxCase('shorter-than-magic', 'trainLabels', Buffer.from([0, 0]), 'too short'),
  idxCase(
    'truncated-header',
    'trainImages',
    Buffer.from([0, 0, 8, 3, 0, 0, 0, 12, 0, 0]),
    'truncated header',
  ),
  idxCase(
    'dims-larger-than-file',
    'trainImages',
    idx(0x803, [60000, 28, 28], new Uint8Array(100)),
    'truncated: expected 47040000 bytes',
  ),
  idxCase(
    'trailing-bytes',
    'testImages',
    Buffer.concat([images(6), Buffer.alloc(5)]),
    '5 trailing bytes',
  ),
  idxCase(
    'dims-past-the-bound',
    'trainImages',
    idx(0x803, [0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(0)),
    'more than the 1073741824 allowed',
  ),
  idxCase(
    'zero-images',
    'testImages',
    idx(0x803, [0, 28, 28], new Uint8Array(0)),
    'declares 0 images',
  ),
  idxCase('label-count-mismatch', 'trainLabels', labels(11), 'has 11 labels but the images file'),
  idxCase(
    'label-out-of-range',
    'testLabels',
    idx(0x801, [6], new Uint8Array([1, 2, 10, 3, 4, 5])),
    'labels[2] = 10 is out of range',
  ),
  idxCase('test-images-other-size', 'testImages', images(6, 20), 'data.testImages'),
  idxCase('not-idx-text', 'trainLabels', Buffer.from('label,digit\n0,5\n'), 'not an IDX file'),
  idxCase(
    'gzip-corrupt',
    'testLabels',
    Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(30, 0xaa)]),
    'bad gzip data',
  ),
  idxCase(
    'gzip-trailer-lies',
    'trainImages',
    lyingGzip(idx(0x803, [400, 28, 28], new Uint8Array(400 * 784)), 64),
    'its gzip trailer declares',
  ),
  idxCase('missing', 'testLabels', null, 'file not found'),
  idxCase('fifo', 'trainImages', null, 'FIFO', (ctx) => void fifo(ctx, IDX_NAMES.trainImages)),
  idxCase(
    'directory',
    'trainLabels',
    null,
    'is a directory',
    (ctx) => void folder(ctx, IDX_NAMES.trainLabels),
  ),
  idxCase('dev-zero', 'testImages', null, 'is a device', (ctx) =>
    symlinkSync('/dev/zero', at(ctx, IDX_NAMES.testImages)),
  ),
]

// ---------------------------------------------------------------- presets (read by the service)

/** `config.presets` of a service whose presets folder holds the bad file; refused naming it. */
function preset(id: string, make: (ctx: CaseContext) => void, problem: string): MalformedCase {
  return {
    id: `preset/${id}`,
    setup: make,
    async run(ctx) {
      const workspace = scratch('presets')
      const service = new BasiscopeService({
        workspaceDir: workspace,
        exportDir: workspace,
        presetsDir: ctx.dir,
        recordRecents: false,
      })
      try {
        return {
          kind: 'reply',
          reply: await service.handle({ id: 1, command: 'config.presets', params: {} }),
        }
      } finally {
        await service.close()
      }
    },
    mentions: ['bad.json', problem],
    errorCode: 'INVALID_FILE',
  }
}

const presets: MalformedCase[] = [
  preset(
    'root-array',
    (ctx) => void write(ctx, 'bad.json', '[{"rotation": {}}]'),
    'found an array',
  ),
  preset('root-null', (ctx) => void write(ctx, 'bad.json', 'null'), 'found null'),
  preset('not-json', (ctx) => void write(ctx, 'bad.json', '{"name": "x",'), 'not valid JSON'),
  preset('fifo', (ctx) => void fifo(ctx, 'bad.json'), 'FIFO'),
  preset('directory', (ctx) => void folder(ctx, 'bad.json'), 'is a directory'),
  preset('dev-zero', (ctx) => symlinkSync('/dev/zero', at(ctx, 'bad.json')), 'is a device'),
]

export const cases: MalformedCase[] = [...splits, ...evalSplits, ...idxFiles, ...presets]
