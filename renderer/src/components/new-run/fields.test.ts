import { describe, expect, it } from 'vitest'
import { MEASURE_NAMES, measureDefaults } from '../../../../core/api/config/measure.ts'
import { OPTIMIZER_NAMES } from '../../../../core/api/config/optimizer.ts'
import { BACKEND_NAMES } from '../../../../core/api/config/sections.ts'
import { defaultConfig } from '../../../../core/api/run-config.ts'
import { inputSchema, objectDefaultsAt, variantDefaults } from './config-schema.ts'
import { assignIssues, fieldGroups, getPath, setPath } from './fields.ts'

describe('assignIssues', () => {
  const fields = [
    'model.hidden',
    'model.epochs',
    'rotation.optimizer.name',
    'rotation.optimizer.lr',
  ]

  it('maps each backend issue path to the field showing it, the rest to the top', () => {
    const { byField, unmatched } = assignIssues(
      [
        { path: 'model.epochs', message: 'Too small' },
        { path: 'model.hidden[1]', message: 'expected number' },
        { path: 'rotation.optimizer', message: 'Invalid input' },
        { path: 'rotation.foo', message: 'unknown key' },
        { path: '(root)', message: 'expected object' },
      ],
      fields,
    )
    expect(byField).toEqual({
      'model.epochs': ['Too small'],
      'model.hidden': ['expected number'],
      'rotation.optimizer.name': ['Invalid input'],
    })
    expect(unmatched.map((i) => i.path)).toEqual(['rotation.foo', '(root)'])
  })
})

describe('fieldGroups', () => {
  it('shows the parameters of the chosen optimizer and IDX paths only for IDX data', () => {
    const config = {
      data: { source: 'mnist-embedded', split: { kind: 'random' } },
      rotation: { optimizer: { name: 'seed-gd', lr: 1e-4, batchSize: null } },
    }
    const paths = fieldGroups(config).flatMap((g) => g.fields.map((f) => f.path))
    expect(paths).toContain('rotation.optimizer.lr')
    expect(paths).toContain('rotation.optimizer.batchSize')
    expect(paths).not.toContain('rotation.optimizer.beta1')
    expect(paths).not.toContain('data.trainImages')
    setPath(config, 'data.source', 'mnist-idx')
    expect(getPath(config, 'data.source')).toBe('mnist-idx')
    expect(fieldGroups(config).flatMap((g) => g.fields.map((f) => f.path))).toContain(
      'data.trainImages',
    )
  })
})

describe('the form over the schema', () => {
  const fields = (config: Record<string, unknown>) =>
    new Map(fieldGroups(config).flatMap((g) => g.fields.map((f) => [f.path, f])))

  it('gives every optimizer and measure parameter written words, not its key', () => {
    const params = (group: 'optimizer' | 'measure', name: string) =>
      [...fields({ rotation: { [group]: { name } } }).values()].filter(
        (f) => f.path.startsWith(`rotation.${group}.`) && f.path !== `rotation.${group}.name`,
      )
    const unnamed = [
      ...OPTIMIZER_NAMES.flatMap((n) => params('optimizer', n)),
      ...MEASURE_NAMES.flatMap((n) => params('measure', n)),
    ].filter((f) => f.label === f.path.split('.').at(-1) && f.label !== 'p')
    expect(params('measure', 'lp').map((f) => f.path)).toContain('rotation.measure.edge')
    expect(unnamed.map((f) => f.path)).toEqual([])
  })

  it('offers every choice the schema has, and only those', () => {
    const f = fields(defaultConfig())
    expect(f.get('rotation.optimizer.name')?.options).toEqual([...OPTIMIZER_NAMES])
    expect(f.get('rotation.measure.name')?.options).toEqual([...MEASURE_NAMES])
    expect(f.get('backend')?.options).toEqual(['auto', ...BACKEND_NAMES])
    expect(f.get('rotation.init')?.options).toContain('varimax')
    // The embedded digits have no IDX files to split by.
    expect(f.get('data.split.kind')?.options).toEqual(['random', 'file'])
    expect(f.get('rotation.optimizer.name')?.variant).toBe(true)
  })

  it('reads kinds and what an empty input means off the schema', () => {
    const f = fields(defaultConfig())
    expect(f.get('model.epochs')?.kind).toBe('int')
    expect(f.get('model.learningRate')?.kind).toBe('number')
    expect(f.get('rotation.optimizer.batchSize')).toMatchObject({ kind: 'int', empty: 'null' })
    expect(f.get('model.seed')).toMatchObject({ kind: 'int', empty: 'omit' })
    expect(f.get('analyses.faithfulness')?.kind).toBe('toggle')
    const fromFile = fields({
      ...defaultConfig(),
      model: { source: 'file', file: 'm.safetensors' },
    })
    expect(fromFile.get('model.activation')).toMatchObject({
      options: ['', 'relu', 'tanh', 'gelu'],
      empty: 'omit',
    })
  })

  it('starts a picked variant from its schema defaults, required paths empty', () => {
    const c = defaultConfig()
    expect(variantDefaults(c, 'rotation.measure.name', 'lp')).toEqual(measureDefaults('lp'))
    expect(variantDefaults(c, 'data.source', 'mnist-idx')).toEqual({
      source: 'mnist-idx',
      trainImages: '',
      trainLabels: '',
      testImages: '',
      testLabels: '',
      split: { kind: 'idx-files' },
    })
    expect(variantDefaults(c, 'model.source', 'file')).toEqual({ source: 'file', file: '' })
    expect(objectDefaultsAt(c, 'analyses.restarts')).toEqual({ starts: 4, budgetSeconds: 10 })
    expect(inputSchema(c, 'rotation.nothing')).toBeNull()
  })

  it('hints agree with the config docs: oblique runs take the riemannian-adam settings', () => {
    const hint = fields({ ...defaultConfig() }).get('rotation.transform')?.hint ?? ''
    expect(hint).toMatch(/hoyer/)
    expect(hint).toMatch(/riemannian-adam/)
    expect(hint).not.toMatch(/oblique-adam/)
    expect(fields(defaultConfig()).get('analyses.baselines')?.hint).toMatch(/LIB/)
  })
})
