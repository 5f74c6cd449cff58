import { describe, expect, it } from 'vitest'
import { NonFiniteError, requireFinite } from './finite.ts'

describe('requireFinite (issue 13, D12)', () => {
  it('passes finite values, including the largest float32', () => {
    expect(() => requireFinite('x', new Float32Array([0, -1, 3.4e38]))).not.toThrow()
  })

  it('fails on NaN or ±Infinity as RUN_FAILED, saying what and where', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      let err: unknown
      try {
        requireFinite('the objective', [1, bad], (i) => `layer ${i + 1}`)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(NonFiniteError)
      expect((err as NonFiniteError).code).toBe('RUN_FAILED')
      expect((err as Error).message).toBe(
        `the objective is not finite (layer 2 is ${bad}): the values overflowed float32 — ` +
          'the model’s weights or inputs are too large for this computation',
      )
    }
  })
})
