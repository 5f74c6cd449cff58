import { describe, expect, it } from 'vitest'
import { artifactNames, basisArtifacts } from './artifacts.ts'
import { keyMetricName, parseKeyMetric } from './run-views.ts'

describe('artifact vocabulary', () => {
  it('finds rotations, oblique transforms with their inverses, and old runs’ T stored as rotation', () => {
    const rotations = [
      { id: 1, kind: 'rotation', meta: { space: 2 } },
      { id: 2, kind: 'rotation', meta: { space: 1 } },
      { id: 3, kind: 'mean-abs-jacobian', meta: { layer: 1 } },
    ]
    expect(basisArtifacts(rotations)).toEqual([
      { space: 1, kind: 'rotation', forward: 2, inverse: null },
      { space: 2, kind: 'rotation', forward: 1, inverse: null },
    ])
    const oblique = [
      { id: 4, kind: 'transform', meta: { space: 1 } },
      { id: 5, kind: 'transform-inverse', meta: { space: 1 } },
    ]
    expect(basisArtifacts(oblique)).toEqual([{ space: 1, kind: 'oblique', forward: 4, inverse: 5 }])
    const legacy = [
      { id: 6, kind: 'rotation', meta: { space: 1, transform: 'oblique' } },
      { id: 7, kind: 'transform-inverse', meta: { space: 1 } },
    ]
    expect(basisArtifacts(legacy)).toEqual([{ space: 1, kind: 'oblique', forward: 6, inverse: 7 }])
    expect(basisArtifacts([{ id: 8, kind: 'rotation', meta: null }])).toEqual([])
  })

  it('names artifacts and key metrics one way, and parses what it names', () => {
    expect(artifactNames.heatmap(2, 'learned')).toBe('layer2.learned')
    expect(artifactNames.transformInverse(1)).toBe('Tinv1')
    expect(keyMetricName(2, 'nearZero', 'after')).toBe('layer2.nearZero.after')
    expect(parseKeyMetric('layer2.nearZero.after')).toEqual({
      layer: 2,
      metric: 'nearZero',
      when: 'after',
    })
    expect(parseKeyMetric('testAccuracy')).toBeNull()
  })
})
