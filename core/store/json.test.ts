import { describe, expect, it } from 'vitest'
import { decodeKeyMetrics, encodeKeyMetrics, parseJson, toJson } from './json.ts'

describe('JSON columns', () => {
  it('stores undefined as null and refuses what JSON cannot hold', () => {
    expect(toJson(undefined, 'x')).toBe('null')
    expect(toJson({ a: [1, 'b'] }, 'x')).toBe('{"a":[1,"b"]}')
    expect(() => toJson({ big: 1n }, 'run.config')).toThrow(/run.config cannot be stored as JSON/)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => toJson(cycle, 'meta')).toThrow(/meta cannot be stored as JSON/)
  })

  it('reports invalid stored JSON as a damaged file', () => {
    expect(parseJson('/p.basiscope', 'run 1 config', '{"a":1}')).toEqual({ a: 1 })
    expect(parseJson('/p.basiscope', 'run 1 config', null)).toBeNull()
    expect(() => parseJson('/p.basiscope', 'run 1 config', '{oops')).toThrow(
      '/p.basiscope: is damaged (run 1 config is not valid JSON)',
    )
  })

  it('keeps NaN and infinities in key metrics', () => {
    const metrics = { a: 0.5, b: Number.NaN, c: Infinity, d: -Infinity, e: -0 }
    const text = encodeKeyMetrics(metrics, 'keyMetrics')
    expect(JSON.parse(text)).toEqual({ a: 0.5, b: 'NaN', c: 'Infinity', d: '-Infinity', e: 0 })
    expect(decodeKeyMetrics('f', 'k', text)).toEqual({
      a: 0.5,
      b: NaN,
      c: Infinity,
      d: -Infinity,
      e: 0,
    })
    expect(() => encodeKeyMetrics({ x: '1' as unknown as number }, 'keyMetrics')).toThrow(
      /keyMetrics.x must be a number/,
    )
    expect(decodeKeyMetrics('f', 'k', '{"x":"other","y":2}')).toEqual({ y: 2 })
  })
})
