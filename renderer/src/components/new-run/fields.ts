import { OBLIQUE_MEASURES } from '../../../../core/api/config/cross-checks.ts'
import type { ConfigObject } from '../../stores/new-run.ts'
import { type InputKind, type InputSchema, fieldsOf, inputSchema } from './config-schema.ts'

/**
 * The New run form's layout over the run config: which input edits which dotted path, in
 * the form's words (labels, hints). Kinds, options and defaults come from the schema
 * (config-schema.ts); what is valid is decided by the backend's check (config.validate),
 * whose issues are mapped back onto these paths.
 */
export type FieldKind = InputKind

export interface FieldDef extends InputSchema {
  path: string
  label: string
  kind: FieldKind
  placeholder?: string
  hint?: string
  /** Starts a new row of the form's grid (a variant with its parameters reads as one line). */
  break?: boolean
}

export interface FieldGroup {
  id: string
  title: string
  fields: FieldDef[]
}

/** The form's words for a field; what kind of input it is, its options and defaults come from the schema. */
interface FieldText {
  label: string
  hint?: string
  placeholder?: string
  break?: boolean
}

/**
 * One input over a config path: its kind, options and "empty" from the schema at that path.
 * A path the schema does not know (a variant edited into something unknown in the JSON
 * view) is a text input, and the backend's check says what is wrong with it.
 */
export function field(config: unknown, path: string, text: FieldText): FieldDef {
  return { path, ...(inputSchema(config, path) ?? { kind: 'text' }), ...text }
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj
  for (const key of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined
    cur = (cur as ConfigObject)[key]
  }
  return cur
}

/** Sets a dotted path, creating objects on the way; `undefined` removes the key. */
export function setPath(obj: ConfigObject, path: string, value: unknown): void {
  const keys = path.split('.')
  let cur = obj
  for (const key of keys.slice(0, -1)) {
    const next = cur[key]
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[key] = {}
    cur = cur[key] as ConfigObject
  }
  const last = keys[keys.length - 1]
  if (value === undefined) delete cur[last]
  else cur[last] = value
}

/**
 * Labels and hints of optimizer and measure parameters, by name (which parameters the chosen
 * one has, their kinds and defaults come from the schema). Hints follow docs/run-config.md.
 */
const PARAMS: Record<string, FieldText> = {
  p: { label: 'p', hint: 'in (0, 2]; smaller likes exact zeros more' },
  eps: { label: 'ε', hint: 'smoothing near zero' },
  perInput: {
    label: 'Per-input weight α',
    hint: 'Σ over inputs of the measure of J(x)',
    placeholder: '1',
  },
  edge: {
    label: 'Edge weight β',
    hint: 'the measure of each connection’s mean J², one circuit for all inputs',
    placeholder: '0',
  },
  innerSteps: { label: 'Inner steps', hint: 'gradient-projection steps per reweighting' },
  lr: { label: 'Learning rate' },
  finalLrFraction: { label: 'Final lr fraction', hint: 'cosine-annealed to lr × this' },
  beta1: { label: 'β₁' },
  beta2: { label: 'β₂' },
  batchSize: { label: 'Batch size', hint: 'objective inputs per step', placeholder: 'all' },
  warmupSteps: { label: 'Warm-up steps' },
  alpha0: { label: 'Initial step α₀' },
  c: { label: 'Armijo c' },
  maxHalvings: { label: 'Max halvings' },
  restartEvery: { label: 'Restart every', hint: 'steps between CG restarts', placeholder: 'never' },
  attraction: { label: 'Attraction', hint: 'pull back onto O(n)' },
  epsilon: { label: 'Safety ε' },
  foldEvery: { label: 'Re-centre every', hint: 'steps' },
  foldNorm: { label: 'Re-centre norm' },
  resetMoments: { label: 'Reset moments on re-centre' },
}

/** One input per parameter the chosen optimizer or measure has. */
function paramFields(config: ConfigObject, path: string): FieldDef[] {
  return fieldsOf(config, path).map((k) => field(config, `${path}.${k}`, PARAMS[k] ?? { label: k }))
}

/** The analyses that are off (null) unless asked for, with the words for their parameters. */
const ANALYSES: { key: string; label: string; hint: string; params: Record<string, FieldText> }[] =
  [
    {
      key: 'generalization',
      label: 'Generalization',
      hint: 'optimize on N objective inputs, evaluate held-out',
      params: { sizes: { label: 'Sizes N' }, budgetSeconds: { label: 'Budget per size (s)' } },
    },
    {
      key: 'restarts',
      label: 'Random restarts',
      hint: 'a census of the minima seeded starts reach (rotations only)',
      params: { starts: { label: 'Starts' }, budgetSeconds: { label: 'Budget per start (s)' } },
    },
    {
      key: 'faithfulness',
      label: 'Faithfulness',
      hint: 'accuracy keeping only the k strongest connections, and the fewest directions',
      params: { points: { label: 'Points on the curve' } },
    },
    {
      key: 'circuit',
      label: 'Circuit graph',
      hint: 'strongest rotated connections between spaces',
      params: { edgesPerLayer: { label: 'Edges per layer' } },
    },
    {
      key: 'features',
      label: 'Feature views',
      hint: 'top-activating inputs, layer-1 templates',
      params: { top: { label: 'Top inputs' } },
    },
  ]

/** Split kinds offered for a data source: the IDX files' own split only for IDX data. */
function splitOptions(options: readonly string[] | undefined, source: unknown): string[] {
  return (options ?? []).filter((o) => o !== 'idx-files' || source === 'mnist-idx')
}

/** The form's groups for the config as it is now (fields follow the chosen variants). */
export function fieldGroups(config: ConfigObject): FieldGroup[] {
  const f = (path: string, text: FieldText) => field(config, path, text)
  const dataSource = getPath(config, 'data.source')
  const splitKind = getPath(config, 'data.split.kind')
  const modelSource = getPath(config, 'model.source')

  const data: FieldDef[] = [f('data.source', { label: 'Source' })]
  if (dataSource === 'mnist-idx') {
    data.push(
      f('data.trainImages', { label: 'Train images (IDX)', placeholder: 'path' }),
      f('data.trainLabels', { label: 'Train labels (IDX)', placeholder: 'path' }),
      f('data.testImages', { label: 'Test images (IDX)', placeholder: 'path' }),
      f('data.testLabels', { label: 'Test labels (IDX)', placeholder: 'path' }),
    )
  }
  const split = f('data.split.kind', { label: 'Split' })
  data.push({ ...split, options: splitOptions(split.options, dataSource) })
  if (splitKind === 'random') {
    data.push(
      f('data.split.train', { label: 'Train size', break: true }),
      f('data.split.test', { label: 'Test size' }),
      f('data.split.seed', { label: 'Split seed' }),
    )
  } else if (splitKind === 'file') {
    data.push(
      f('data.split.file', {
        label: 'Split file',
        placeholder: 'JSON {"train": [...], "test": [...]}',
      }),
    )
  }

  const model: FieldDef[] = [f('model.source', { label: 'Model' })]
  if (modelSource === 'file') {
    model.push(
      f('model.file', { label: 'Model file', placeholder: '.safetensors or model.json' }),
      f('model.activation', { label: 'Activation', hint: 'empty: as the file says' }),
    )
  } else {
    model.push(
      f('model.hidden', { label: 'Hidden sizes' }),
      f('model.activation', { label: 'Activation' }),
      f('model.epochs', { label: 'Epochs', break: true }),
      f('model.batchSize', { label: 'Batch size' }),
      f('model.learningRate', { label: 'Learning rate' }),
      f('model.seed', { label: 'Model seed', placeholder: 'run seed' }),
    )
  }

  const oblique = getPath(config, 'rotation.transform') === 'oblique'
  const rotation: FieldDef[] = [
    f('rotation.scheme', { label: 'Scheme' }),
    f('rotation.init', { label: 'Initial rotations' }),
    f('rotation.samples', {
      label: 'Objective samples',
      hint: 'first N of the train list; the default is capped to it',
    }),
    f('rotation.measure.name', { label: 'Measure', break: true }),
    ...paramFields(config, 'rotation.measure'),
    f('rotation.optimizer.name', { label: 'Optimizer', break: true }),
    ...paramFields(config, 'rotation.optimizer'),
    f('rotation.maxSteps', { label: 'Max steps', break: true }),
    f('rotation.budgetSeconds', { label: 'Budget (s)', hint: 'per layer for forward/backward' }),
    f('rotation.gradTol', { label: 'Gradient tolerance' }),
    f('rotation.freeInput', { label: 'Free input (rotate pixels)', break: true }),
    f('rotation.freeOutput', { label: 'Free output (rotate logits)' }),
    f('rotation.transform', {
      label: 'Transform',
      break: true,
      hint: `oblique: invertible T, unit-length directions; needs the measure ${OBLIQUE_MEASURES.join(' or ')} and the riemannian-adam optimizer`,
    }),
    ...(oblique
      ? [
          f('rotation.maxCondition', { label: 'Max condition number' }),
          f('rotation.obliqueBarrier', { label: 'Log-volume barrier λ' }),
        ]
      : []),
  ]

  const evaluation: FieldDef[] = [
    f('evaluation.heldOutSamples', {
      label: 'Held-out samples',
      placeholder: 'all of the test list',
      hint: 'first N of the test list; at most its size',
    }),
    f('evaluation.nearZeroThreshold', { label: 'Near-zero threshold' }),
  ]

  const analyses: FieldDef[] = [
    f('analyses.baselines', {
      label: 'Baselines',
      hint: 'neuron, random, PCA, JJᵀ and LIB bases beside the learned one',
    }),
  ]
  for (const a of ANALYSES) {
    const path = `analyses.${a.key}`
    analyses.push(f(path, { label: a.label, hint: a.hint }))
    if (getPath(config, path)) {
      analyses.push(
        ...fieldsOf(config, path).map((k) => f(`${path}.${k}`, a.params[k] ?? { label: k })),
      )
    }
  }

  const run: FieldDef[] = [
    f('seed', { label: 'Seed', hint: 'weights, shuffles, Haar starts, minibatches' }),
    f('seeds', {
      label: 'Model seeds',
      hint: 'one run per seed (seed, seed + 1, …), kept as a group: mean ± sd and noise',
    }),
    f('backend', { label: 'Backend', hint: 'auto: the fastest installed (ONNX Runtime first)' }),
  ]

  return [
    { id: 'data', title: 'Data', fields: data },
    { id: 'model', title: 'Model', fields: model },
    { id: 'rotation', title: 'Rotation', fields: rotation },
    { id: 'evaluation', title: 'Evaluation', fields: evaluation },
    { id: 'analyses', title: 'Analyses', fields: analyses },
    { id: 'run', title: 'Seeds and backend', fields: run },
  ]
}

export interface Issue {
  path: string
  message: string
}

/**
 * Puts each backend issue under the field it is about: the field with the same path, else
 * the field holding it (`model.hidden[1]` → `model.hidden`), else the variant selector of
 * the object it names (`rotation.optimizer` → `rotation.optimizer.name`). The rest (unknown
 * keys, fields not on screen) go to the top of the form.
 */
export function assignIssues(
  issues: readonly Issue[],
  fieldPaths: readonly string[],
): { byField: Record<string, string[]>; unmatched: Issue[] } {
  const byField: Record<string, string[]> = {}
  const unmatched: Issue[] = []
  const fields = new Set(fieldPaths)
  for (const issue of issues) {
    let target: string | undefined
    if (fields.has(issue.path)) target = issue.path
    if (!target) {
      target = [...fieldPaths]
        .filter((p) => issue.path.startsWith(`${p}[`) || issue.path.startsWith(`${p}.`))
        .sort((a, b) => b.length - a.length)[0]
    }
    if (!target) {
      target = ['name', 'source', 'kind']
        .map((k) => `${issue.path}.${k}`)
        .find((p) => fields.has(p))
    }
    if (target) (byField[target] ??= []).push(issue.message)
    else unmatched.push(issue)
  }
  return { byField, unmatched }
}
