import { describe, expect, it } from 'vitest'
import { BasiscopeError } from '../errors.ts'
import { OBLIQUE_MEASURES } from '../api/config/cross-checks.ts'
import { type ConfigIssue, defaultConfig } from '../api/run-config.ts'
import { parseRunConfig } from './config.ts'

function issues(value: unknown): ConfigIssue[] {
  try {
    parseRunConfig(value)
  } catch (e) {
    expect(e).toBeInstanceOf(BasiscopeError)
    expect((e as BasiscopeError).code).toBe('INVALID_CONFIG')
    return (e as BasiscopeError).details as ConfigIssue[]
  }
  expect.fail('the config was accepted')
}

const oblique = (rotation: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  rotation: { transform: 'oblique', measure: { name: 'hoyer' }, ...rotation },
  ...extra,
})

describe('rotation.transform', () => {
  it('defaults to rotation, with the oblique settings filled in', () => {
    const r = defaultConfig().rotation
    expect(r.transform).toBe('rotation')
    expect(r.maxCondition).toBe(1e3)
    expect(r.obliqueBarrier).toBe(0)
    // The default measure (lp) stays allowed for rotations.
    expect(r.measure.name).toBe('lp')
  })

  it('accepts oblique with hoyer and the riemannian-adam settings', () => {
    const c = parseRunConfig(oblique({ maxCondition: 1e3, obliqueBarrier: 0.5 }))
    expect(c.rotation.transform).toBe('oblique')
    expect(c.rotation.optimizer.name).toBe('riemannian-adam')
    expect(OBLIQUE_MEASURES).toEqual(['hoyer'])
  })

  it.each([
    { name: 'l1' },
    { name: 'lp', p: 0.5, eps: 1e-3 },
    { name: 'log', eps: 1e-3 },
    { name: 'quartimax' },
  ])('rejects $name with oblique, naming rotation.measure', (measure) => {
    const found = issues(oblique({ measure }))
    expect(found).toHaveLength(1)
    expect(found[0].path).toBe('rotation.measure')
    expect(found[0].message).toContain('oblique transforms need a scale-free measure (hoyer)')
    expect(found[0].message).toContain(`"${measure.name}"`)
  })

  it('rejects the default measure (lp) when only the transform is set', () => {
    expect(issues({ rotation: { transform: 'oblique' } }).map((i) => i.path)).toEqual([
      'rotation.measure',
    ])
  })

  it('rejects optimizers other than riemannian-adam, and the restarts analysis, naming the fields', () => {
    const found = issues(
      oblique({ optimizer: { name: 'rcg' } }, { analyses: { restarts: { starts: 2 } } }),
    )
    expect(found.map((i) => i.path)).toEqual(['rotation.optimizer.name', 'analyses.restarts'])
    expect(found[0].message).toContain('oblique-adam')
  })

  it('range-checks its settings', () => {
    expect(issues(oblique({ maxCondition: 1 })).map((i) => i.path)).toEqual([
      'rotation.maxCondition',
    ])
    expect(issues(oblique({ obliqueBarrier: -1 })).map((i) => i.path)).toEqual([
      'rotation.obliqueBarrier',
    ])
    expect(issues({ rotation: { transform: 'affine' } }).map((i) => i.path)).toEqual([
      'rotation.transform',
    ])
  })
})

describe('cross-field sizes', () => {
  it('refuses a random split of the embedded digits larger than the 10000 it has', () => {
    const found = issues({
      data: { source: 'mnist-embedded', split: { kind: 'random', train: 9500, test: 2000 } },
    })
    expect(found).toEqual([
      {
        path: 'data.split.test',
        message: 'train 9500 + test 2000 = 11500 exceeds the 10000 embedded MNIST digits',
      },
    ])
  })

  it('refuses more objective inputs than the train list holds', () => {
    const found = issues({
      data: { source: 'mnist-embedded', split: { kind: 'random', train: 500, test: 100 } },
      rotation: { samples: 600 },
    })
    expect(found.map((i) => i.path)).toEqual(['rotation.samples'])
  })

  it('accepts a split that just fits', () => {
    const c = parseRunConfig({
      data: { source: 'mnist-embedded', split: { kind: 'random', train: 8000, test: 2000 } },
    })
    expect(c.data.split).toMatchObject({ train: 8000, test: 2000 })
  })
})
