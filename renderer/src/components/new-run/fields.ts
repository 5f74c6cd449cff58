import type { ConfigObject } from '../../stores/new-run.ts'

/**
 * The New run form's layout over the run config: which input edits which dotted path.
 * This is presentation only — what is valid is decided by the backend's schema
 * (config.validate), whose issues are mapped back onto these paths.
 */
export type FieldKind =
  | 'int'
  | 'number'
  | 'text'
  | 'select'
  | 'checkbox'
  | 'int-list'
  /** An optional sub-object: on = the backend's defaults for it, off = null. */
  | 'toggle'

export interface FieldDef {
  path: string
  label: string
  kind: FieldKind
  options?: readonly string[]
  /** A select that picks a variant (optimizer, measure, source…): it replaces its object. */
  variant?: boolean
  /** What an empty number input means: null ("all", "never") or leaving the key out. */
  empty?: 'null' | 'omit'
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

const OPTIMIZERS = [
  'riemannian-adam',
  'seed-gd',
  'landing',
  'dyntriv',
  'rgd-armijo',
  'rcg',
  'oblique-adam',
]
const MEASURES = ['lp', 'l1', 'log', 'hoyer', 'quartimax']

/** Labels and hints of optimizer and measure parameters (which exist comes from the config). */
const PARAMS: Record<string, { label: string; hint?: string }> = {
  p: { label: 'p', hint: 'in (0, 2]; smaller likes exact zeros more' },
  eps: { label: 'ε', hint: 'smoothing near zero' },
  lr: { label: 'Learning rate' },
  finalLrFraction: { label: 'Final lr fraction', hint: 'cosine-annealed to lr × this' },
  beta1: { label: 'β₁' },
  beta2: { label: 'β₂' },
  batchSize: { label: 'Batch size', hint: 'objective inputs per step' },
  warmupSteps: { label: 'Warm-up steps' },
  alpha0: { label: 'Initial step α₀' },
  c: { label: 'Armijo c' },
  maxHalvings: { label: 'Max halvings' },
  restartEvery: { label: 'Restart every', hint: 'steps between CG restarts' },
  attraction: { label: 'Attraction', hint: 'pull back onto O(n)' },
  epsilon: { label: 'Safety ε' },
  foldEvery: { label: 'Re-centre every', hint: 'steps' },
  foldNorm: { label: 'Re-centre norm' },
  resetMoments: { label: 'Reset moments on re-centre' },
}
const INT_PARAMS = new Set(['batchSize', 'warmupSteps', 'maxHalvings', 'restartEvery', 'foldEvery'])
const NULLABLE_PARAMS: Record<string, string> = { batchSize: 'all', restartEvery: 'never' }

/** One input per parameter the chosen optimizer or measure has (from the backend's defaults). */
function paramFields(config: ConfigObject, path: string): FieldDef[] {
  const params = getPath(config, path)
  if (!params || typeof params !== 'object') return []
  return Object.keys(params)
    .filter((k) => k !== 'name')
    .map((k): FieldDef => {
      const value = (params as ConfigObject)[k]
      const meta = PARAMS[k] ?? { label: k }
      return {
        path: `${path}.${k}`,
        label: meta.label,
        hint: meta.hint,
        kind: typeof value === 'boolean' ? 'checkbox' : INT_PARAMS.has(k) ? 'int' : 'number',
        ...(k in NULLABLE_PARAMS
          ? { empty: 'null' as const, placeholder: NULLABLE_PARAMS[k] }
          : {}),
      }
    })
}

/** The analyses that are off (null) unless asked for, with their parameters when on. */
const ANALYSES: { key: string; label: string; hint: string; params: FieldDef[] }[] = [
  {
    key: 'generalization',
    label: 'Generalization',
    hint: 'optimize on N objective inputs, evaluate held-out',
    params: [
      { path: 'sizes', label: 'Sizes N', kind: 'int-list', placeholder: '1, 10, 100, 1000' },
      { path: 'budgetSeconds', label: 'Budget per size (s)', kind: 'number' },
    ],
  },
  {
    key: 'restarts',
    label: 'Random restarts',
    hint: 'a census of the minima seeded starts reach',
    params: [
      { path: 'starts', label: 'Starts', kind: 'int' },
      { path: 'budgetSeconds', label: 'Budget per start (s)', kind: 'number' },
    ],
  },
  {
    key: 'faithfulness',
    label: 'Faithfulness',
    hint: 'accuracy keeping only the k strongest connections',
    params: [{ path: 'points', label: 'Points on the curve', kind: 'int' }],
  },
  {
    key: 'circuit',
    label: 'Circuit graph',
    hint: 'strongest rotated connections between spaces',
    params: [{ path: 'edgesPerLayer', label: 'Edges per layer', kind: 'int' }],
  },
  {
    key: 'features',
    label: 'Feature views',
    hint: 'top-activating inputs, layer-1 templates',
    params: [{ path: 'top', label: 'Top inputs', kind: 'int' }],
  },
]

/** The form's groups for the config as it is now (fields follow the chosen variants). */
export function fieldGroups(config: ConfigObject): FieldGroup[] {
  const dataSource = getPath(config, 'data.source')
  const splitKind = getPath(config, 'data.split.kind')
  const modelSource = getPath(config, 'model.source')

  const data: FieldDef[] = [
    {
      path: 'data.source',
      label: 'Source',
      kind: 'select',
      variant: true,
      options: ['mnist-embedded', 'mnist-idx'],
    },
  ]
  if (dataSource === 'mnist-idx') {
    data.push(
      { path: 'data.trainImages', label: 'Train images (IDX)', kind: 'text', placeholder: 'path' },
      { path: 'data.trainLabels', label: 'Train labels (IDX)', kind: 'text', placeholder: 'path' },
      { path: 'data.testImages', label: 'Test images (IDX)', kind: 'text', placeholder: 'path' },
      { path: 'data.testLabels', label: 'Test labels (IDX)', kind: 'text', placeholder: 'path' },
    )
  }
  data.push({
    path: 'data.split.kind',
    label: 'Split',
    kind: 'select',
    variant: true,
    options: dataSource === 'mnist-idx' ? ['idx-files', 'random', 'file'] : ['random', 'file'],
  })
  if (splitKind === 'random') {
    data.push(
      { path: 'data.split.train', label: 'Train size', kind: 'int', break: true },
      { path: 'data.split.test', label: 'Test size', kind: 'int' },
      { path: 'data.split.seed', label: 'Split seed', kind: 'int' },
    )
  } else if (splitKind === 'file') {
    data.push({
      path: 'data.split.file',
      label: 'Split file',
      kind: 'text',
      placeholder: 'JSON {"train": [...], "test": [...]}',
    })
  }

  const model: FieldDef[] = [
    {
      path: 'model.source',
      label: 'Model',
      kind: 'select',
      variant: true,
      options: ['train', 'file'],
    },
  ]
  if (modelSource === 'file') {
    model.push(
      {
        path: 'model.file',
        label: 'Model file',
        kind: 'text',
        placeholder: '.safetensors or model.json',
      },
      {
        path: 'model.activation',
        label: 'Activation',
        kind: 'select',
        options: ['', 'relu', 'tanh', 'gelu'],
        empty: 'omit',
        hint: 'empty: as the file says',
      },
    )
  } else {
    model.push(
      { path: 'model.hidden', label: 'Hidden sizes', kind: 'int-list', placeholder: '128, 128' },
      {
        path: 'model.activation',
        label: 'Activation',
        kind: 'select',
        options: ['relu', 'tanh', 'gelu'],
      },
      { path: 'model.epochs', label: 'Epochs', kind: 'int', break: true },
      { path: 'model.batchSize', label: 'Batch size', kind: 'int' },
      { path: 'model.learningRate', label: 'Learning rate', kind: 'number' },
      {
        path: 'model.seed',
        label: 'Model seed',
        kind: 'int',
        empty: 'omit',
        placeholder: 'run seed',
      },
    )
  }

  const rotation: FieldDef[] = [
    {
      path: 'rotation.scheme',
      label: 'Scheme',
      kind: 'select',
      options: ['forward', 'backward', 'joint', 'pairwise'],
    },
    {
      path: 'rotation.init',
      label: 'Initial rotations',
      kind: 'select',
      options: ['identity', 'random', 'pca', 'jtj', 'varimax'],
    },
    { path: 'rotation.samples', label: 'Objective samples', kind: 'int' },
    {
      path: 'rotation.measure.name',
      label: 'Measure',
      kind: 'select',
      variant: true,
      break: true,
      options: MEASURES,
    },
    ...paramFields(config, 'rotation.measure'),
    {
      path: 'rotation.optimizer.name',
      label: 'Optimizer',
      kind: 'select',
      variant: true,
      break: true,
      options: OPTIMIZERS,
    },
    ...paramFields(config, 'rotation.optimizer'),
    { path: 'rotation.maxSteps', label: 'Max steps', kind: 'int', break: true },
    {
      path: 'rotation.budgetSeconds',
      label: 'Budget (s)',
      kind: 'number',
      hint: 'per layer for forward/backward',
    },
    { path: 'rotation.gradTol', label: 'Gradient tolerance', kind: 'number' },
    {
      path: 'rotation.freeInput',
      label: 'Free input (rotate pixels)',
      kind: 'checkbox',
      break: true,
    },
    { path: 'rotation.freeOutput', label: 'Free output (rotate logits)', kind: 'checkbox' },
    {
      path: 'rotation.transform',
      label: 'Transform',
      kind: 'select',
      break: true,
      options: ['rotation', 'oblique'],
      hint: 'oblique: invertible, unit-length directions; needs hoyer and oblique-adam',
    },
    ...(getPath(config, 'rotation.transform') === 'oblique'
      ? [
          {
            path: 'rotation.maxCondition',
            label: 'Max condition number',
            kind: 'number' as const,
          },
          {
            path: 'rotation.obliqueBarrier',
            label: 'Log-volume barrier λ',
            kind: 'number' as const,
          },
        ]
      : []),
  ]

  const evaluation: FieldDef[] = [
    {
      path: 'evaluation.heldOutSamples',
      label: 'Held-out samples',
      kind: 'int',
      empty: 'null',
      placeholder: 'all of the test list',
    },
    { path: 'evaluation.nearZeroThreshold', label: 'Near-zero threshold', kind: 'number' },
  ]

  const analyses: FieldDef[] = [
    {
      path: 'analyses.baselines',
      label: 'Baselines',
      kind: 'checkbox',
      hint: 'neuron, random, PCA, JJᵀ bases beside the learned one',
    },
  ]
  for (const a of ANALYSES) {
    const path = `analyses.${a.key}`
    analyses.push({ path, label: a.label, kind: 'toggle', hint: a.hint })
    if (getPath(config, path)) {
      analyses.push(...a.params.map((p) => ({ ...p, path: `${path}.${p.path}` })))
    }
  }

  const run: FieldDef[] = [
    {
      path: 'seed',
      label: 'Seed',
      kind: 'int',
      hint: 'weights, shuffles, Haar starts, minibatches',
    },
    {
      path: 'backend',
      label: 'Backend',
      kind: 'select',
      options: ['auto', 'tensorflow', 'wasm', 'cpu'],
    },
  ]

  return [
    { id: 'data', title: 'Data', fields: data },
    { id: 'model', title: 'Model', fields: model },
    { id: 'rotation', title: 'Rotation', fields: rotation },
    { id: 'evaluation', title: 'Evaluation', fields: evaluation },
    { id: 'analyses', title: 'Analyses', fields: analyses },
    { id: 'run', title: 'Seed and backend', fields: run },
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
