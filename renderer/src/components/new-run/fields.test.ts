import { describe, expect, it } from 'vitest'
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
