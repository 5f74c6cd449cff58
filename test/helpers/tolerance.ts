import { expect } from 'vitest'

/** |actual − expected| ≤ atol + rtol·|expected|; `label` prefixes the failure message. */
export interface Tolerance {
  readonly rtol?: number
  readonly atol?: number
  readonly label?: string
}

export function expectClose(actual: number, expected: number, tol: Tolerance = {}): void {
  const { rtol = 0, atol = 0, label = '' } = tol
  const diff = Math.abs(actual - expected)
  const bound = atol + rtol * Math.abs(expected)
  // `!(diff <= bound)` so that NaN fails too.
  if (!(diff <= bound)) {
    expect.fail(`${label}${label ? ': ' : ''}${actual} vs ${expected}, |diff| ${diff} > ${bound}`)
  }
}

export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance = {},
): void {
  const { rtol = 0, atol = 0, label = '' } = tol
  const prefix = `${label}${label ? ': ' : ''}`
  expect(actual.length, `${prefix}length`).toBe(expected.length)
  let bad = 0
  let worst = -1
  let worstRatio = -1
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i])
    const bound = atol + rtol * Math.abs(expected[i])
    if (diff <= bound) continue
    bad++
    const ratio = Number.isNaN(diff) ? Infinity : diff / bound
    if (ratio > worstRatio) {
      worstRatio = ratio
      worst = i
    }
  }
  if (bad > 0) {
    const a = actual[worst]
    const e = expected[worst]
    expect.fail(
      `${prefix}${bad} of ${expected.length} entries differ; worst at [${worst}]: ` +
        `${a} vs ${e}, |diff| ${Math.abs(a - e)} > ${atol + rtol * Math.abs(e)}`,
    )
  }
}
