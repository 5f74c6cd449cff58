import { describe, expect, it } from 'vitest'
import { IRLS_MEASURES } from './config/cross-checks.ts'
import { MEASURE_MIX_DEFAULTS, measureDefaults } from './config/measure.ts'
import { optimizerDefaults } from './config/optimizer.ts'
import { checkRunConfig } from './run-config.ts'

const issues = (value: unknown) => {
  const r = checkRunConfig(value)
  return r.ok ? [] : r.issues
}

describe('measure mix (the edge term)', () => {
  it('is absent by default: the per-input measure alone, as before', () => {
    expect(measureDefaults('lp')).toEqual({ name: 'lp', p: 0.5, eps: 1e-3 })
    expect(MEASURE_MIX_DEFAULTS).toEqual({ perInput: 1, edge: 0 })
  })

  it.each(['l1', 'lp', 'log'])('%s takes perInput and edge weights ≥ 0', (name) => {
    const r = checkRunConfig({ rotation: { measure: { name, perInput: 0.5, edge: 2 } } })
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.config.rotation.measure).toMatchObject({ name, perInput: 0.5, edge: 2 })
  })

  it('rejects negative weights and an all-zero mix, naming the field', () => {
    expect(issues({ rotation: { measure: { name: 'lp', edge: -1 } } }).map((i) => i.path)).toEqual([
      'rotation.measure.edge',
    ])
    const zero = issues({ rotation: { measure: { name: 'log', perInput: 0, edge: 0 } } })
    expect(zero).toHaveLength(1)
    expect(zero[0].path).toBe('rotation.measure.edge')
    expect(zero[0].message).toContain('at least one term')
  })

  it.each(['hoyer', 'quartimax'])('%s has no edge form: the weights are unknown keys', (name) => {
    const found = issues({ rotation: { measure: { name, edge: 1 } } })
    expect(found).toHaveLength(1)
    expect(found[0].path).toBe('rotation.measure.edge')
    expect(found[0].message).toContain('unknown key')
  })
})

describe('irls-lp', () => {
  it('has the documented defaults', () => {
    expect(optimizerDefaults('irls-lp')).toEqual({
      innerSteps: 5,
      alpha0: 1,
      c: 1e-4,
      maxHalvings: 30,
      batchSize: null,
    })
  })

  it('runs with lp and log', () => {
    expect(IRLS_MEASURES).toEqual(['lp', 'log'])
    for (const name of IRLS_MEASURES) {
      const r = checkRunConfig({ rotation: { optimizer: { name: 'irls-lp' }, measure: { name } } })
      expect(r.ok).toBe(true)
    }
  })

  it.each(['l1', 'hoyer', 'quartimax'])('refuses %s, naming the optimizer field', (name) => {
    const found = issues({ rotation: { optimizer: { name: 'irls-lp' }, measure: { name } } })
    expect(found).toHaveLength(1)
    expect(found[0].path).toBe('rotation.optimizer.name')
    expect(found[0].message).toContain(`"${name}"`)
  })

  it('checks its own fields', () => {
    const found = issues({ rotation: { optimizer: { name: 'irls-lp', innerSteps: 0, c: 1 } } })
    expect(found.map((i) => i.path).sort()).toEqual([
      'rotation.optimizer.c',
      'rotation.optimizer.innerSteps',
    ])
  })
})

describe('partial sections (issue 13): the default variant of a discriminated section', () => {
  it('fills model.source "train", data.source "mnist-embedded" and split.kind "random"', () => {
    const r = checkRunConfig({ model: { epochs: 3 }, data: { split: { train: 500, test: 100 } } })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.config.model).toMatchObject({ source: 'train', epochs: 3, hidden: [128, 128] })
    expect(r.config.data).toEqual({
      source: 'mnist-embedded',
      split: { kind: 'random', train: 500, test: 100, seed: 0 },
    })
  })

  it('keeps unknown keys errors, by path, and names a bad variant plainly', () => {
    expect(issues({ model: { epochs: 3, epoch: 4 } })).toEqual([
      { path: 'model.epoch', message: 'unknown key (not part of the run config)' },
    ])
    expect(issues({ model: { source: 'hub' } })).toEqual([
      { path: 'model.source', message: 'unknown source; expected one of "train", "file"' },
    ])
    // A variant other than the default must be named.
    expect(issues({ model: { file: 'm.safetensors' } }).map((i) => i.path)).toEqual(['model.file'])
  })
})

describe('counts bounded by their lists (issue 13, D11): one rule for both', () => {
  const split = { kind: 'random', train: 100, test: 50 }
  it('a count set larger than its list is an error naming field, count and list size', () => {
    expect(issues({ data: { split }, rotation: { samples: 101 } })).toEqual([
      {
        path: 'rotation.samples',
        message:
          "101 inputs asked for, but the split's train list has only 100; set at most 100 or leave it unset (the default 1000 is capped to the list)",
      },
    ])
    expect(issues({ data: { split }, evaluation: { heldOutSamples: 51 } })).toEqual([
      {
        path: 'evaluation.heldOutSamples',
        message:
          "51 inputs asked for, but the split's test list has only 50; set at most 50 or null (the whole list)",
      },
    ])
  })

  it('counts that fit, and the defaults on a small split, are accepted', () => {
    expect(
      issues({ data: { split }, rotation: { samples: 100 }, evaluation: { heldOutSamples: 50 } }),
    ).toEqual([])
    expect(issues({ data: { split } })).toEqual([])
  })
})
