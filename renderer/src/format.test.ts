import { describe, expect, it } from 'vitest'
import {
  countLabel,
  duration,
  meanSd,
  num,
  pct,
  ratio,
  ratioText,
  relativeText,
  secondsBetween,
  shape,
  sig,
} from './format.ts'

describe('format', () => {
  it('prints numbers compactly and never NaN', () => {
    expect(num(0.12345)).toBe('0.123')
    expect(num(2e-5)).toBe('2.0e-5')
    expect(num(NaN)).toBe('—')
    expect(sig(2808.4312)).toBe('2808')
    expect(sig(0.000123456)).toBe('1.235e-4')
    expect(pct(0.9381, 1)).toBe('93.8%')
  })

  it('gives ratios only where they mean something', () => {
    expect(ratio(0.2, 0.4)).toBe(2)
    expect(ratio(0, 0.4)).toBeNull()
    expect(ratioText(2)).toBe('2.00×')
    expect(ratioText(12.34)).toBe('12.3×')
    expect(ratioText(null)).toBe('—')
  })

  it('prints durations and shapes', () => {
    expect(duration(4.25)).toBe('4.3 s')
    expect(duration(42)).toBe('42 s')
    expect(duration(185)).toBe('3 m 05 s')
    expect(duration(3725)).toBe('1 h 02 m')
    expect(duration(null)).toBe('—')
    expect(secondsBetween('2025-01-01T00:00:00Z', '2025-01-01T00:01:30Z')).toBe(90)
    expect(shape([128, 784])).toBe('128×784')
  })

  it('labels counts with k and M, never 1000k', () => {
    expect([950, 1500, 100_352, 1_000_000, 999_950, 2.5e6, 1e9].map(countLabel)).toEqual([
      '950',
      '1.5k',
      '100k',
      '1M',
      '1M',
      '2.5M',
      '1G',
    ])
  })

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
