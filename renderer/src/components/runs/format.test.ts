import { describe, expect, it } from 'vitest'
import { meanSd, relativeText } from './format.ts'

describe('relativeText', () => {
  it('reads a value against a reference as a difference or a ratio', () => {
    expect(relativeText(0.45, 0.4, 'delta')).toBe('+0.05')
    expect(relativeText(0.4, 0.45, 'delta')).toBe('−0.05')
    expect(relativeText(1e-4, 1e-4, 'delta')).toBe('±0')
    expect(relativeText(1.2e-4, 1e-4, 'delta')).toBe('+2.0e-5')
    expect(relativeText(0.5, 0.4, 'ratio')).toBe('1.25×')
    expect(relativeText(0.5, 0, 'ratio')).toBeNull()
    expect(relativeText(null, 0.4, 'delta')).toBeNull()
    expect(relativeText(0.5, undefined, 'ratio')).toBeNull()
  })

  it('shows a group as mean ± sd', () => {
    expect(meanSd(0.4, 0.0141)).toBe('0.400 ± 0.014')
    expect(meanSd(0.4, null)).toBe('0.400')
    expect(meanSd(null, null)).toBe('—')
  })
})
