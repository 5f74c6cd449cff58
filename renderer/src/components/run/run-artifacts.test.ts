import { describe, expect, it } from 'vitest'
import type { ArtifactInfo } from '../../../../core/api/records.ts'
import {
  featureInputsArtifact,
  heatmapArtifact,
  heatmapLayers,
  learnedBases,
} from './run-artifacts.ts'

const artifact = (id: number, kind: string, name: string, meta: object): ArtifactInfo => ({
  id,
  runId: 1,
  kind,
  name,
  meta,
  dtype: 'float32',
  shape: [2, 2],
  bytes: 16,
})

describe('run artifacts', () => {
  it('finds heatmaps by the names core/api gives them', () => {
    const list = [
      artifact(1, 'mean-abs-jacobian', 'layer1.neuron', { layer: 1, basis: 'neuron' }),
      artifact(2, 'mean-abs-jacobian', 'layer1.learned', { layer: 1, basis: 'learned' }),
      artifact(3, 'mean-abs-jacobian', 'layer3.neuron', { layer: 3, basis: 'neuron' }),
      artifact(4, 'feature-inputs', 'space2.top-inputs', { space: 2 }),
    ]
    expect(heatmapLayers(list)).toEqual([1, 3])
    expect(heatmapArtifact(list, 1, 'learned')?.id).toBe(2)
    expect(heatmapArtifact(list, 3, 'learned')).toBeNull()
    expect(featureInputsArtifact(list, 2)?.id).toBe(4)
    expect(featureInputsArtifact(list, 1)).toBeNull()
  })

  it('reads an oblique run’s T as its basis, as stored now and as older runs stored it', () => {
    const now = [
      artifact(10, 'transform', 'T1', { space: 1 }),
      artifact(11, 'transform-inverse', 'Tinv1', { space: 1 }),
    ]
    const older = [
      artifact(20, 'rotation', 'R1', { space: 1, transform: 'oblique' }),
      artifact(21, 'transform-inverse', 'Tinv1', { space: 1 }),
      artifact(22, 'rotation', 'R2', { space: 2 }),
    ]
    expect(learnedBases(now).map((b) => [b.space, b.kind, b.forward.id, b.inverse?.id])).toEqual([
      [1, 'oblique', 10, 11],
    ])
    expect(learnedBases(older).map((b) => [b.space, b.kind, b.forward.name])).toEqual([
      [1, 'oblique', 'R1'],
      [2, 'rotation', 'R2'],
    ])
  })
})
