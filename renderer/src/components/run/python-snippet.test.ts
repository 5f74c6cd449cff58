import { describe, expect, it } from 'vitest'
import type { StoredRunSummary } from '../../../../core/api/summary.ts'
import { exampleSummary as summary } from '../../test/run-summary.ts'
import { pythonSnippet } from './python-snippet.ts'

describe('python-snippet', () => {
  it('writes the Python that loads the exported rotations under their exported names', () => {
    const s = { ...summary, model: { ...summary.model, layers: [784, 32, 16, 10] } }
    expect(pythonSnippet(7, s as StoredRunSummary)).toEqual([
      'from safetensors.numpy import load_file',
      'R = load_file("run-7-rotations.safetensors")  # R1 … R2',
      'h1_rotated = h1 @ R["R1"].T  # h1: [N, 32] hidden-1 activations',
      '# or with NumPy alone: R1 = np.load("run-7-rotations.R1.npy")',
    ])
    const oblique = { ...s, rotation: { ...s.rotation, transform: 'oblique' as const } }
    expect(pythonSnippet(7, oblique as StoredRunSummary)![1]).toMatch(
      /^T = load_file\("run-7-transforms.safetensors"\) {2}# T1, Tinv1 … T2, Tinv2/,
    )
    expect(pythonSnippet(7, oblique as StoredRunSummary)![3]).toContain('run-7-rotations.T1.npy')
  })
})
