import { describe, expect, it } from 'vitest'
import { pixelOf, unitName } from './labels.ts'

describe('explorer labels', () => {
  it('names units by space and basis; only freed spaces are directions', () => {
    expect(unitName(0, 3, 'learned', [1, 2])).toBe('pixel')
    expect(unitName(1, 3, 'neuron', [1, 2])).toBe('h1 neuron')
    expect(unitName(1, 3, 'learned', [1, 2])).toBe('h1 direction')
    expect(unitName(2, 3, 'learned', [1])).toBe('h2 neuron')
    expect(unitName(3, 3, 'learned', [1, 2])).toBe('logit')
    expect(unitName(0, 3, 'learned', [0, 1])).toBe('input direction')
  })

  it('says which pixel a column of an image-reading map is', () => {
    expect(pixelOf(28, 28, 784)?.({ col: 30 })).toBe('pixel x 2, y 1')
    expect(pixelOf(28, 28, 128)).toBeNull()
  })
})
