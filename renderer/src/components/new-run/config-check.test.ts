import { describe, expect, it } from 'vitest'
import { checkStatusText, fillMissing } from './config-check.ts'

describe('config check', () => {
  it('says what the check found', () => {
    expect(checkStatusText('checking', 0, null)).toBe('Checking…')
    expect(checkStatusText('ok', 0, null)).toBe('Config is valid')
    expect(checkStatusText('invalid', 1, null)).toBe('1 problem to fix')
    expect(checkStatusText('invalid', 3, null)).toBe('3 problems to fix')
    expect(checkStatusText('error', 0, null)).toBe('Could not check the config')
    expect(checkStatusText('ok', 0, 'Not valid JSON')).toBe('Fix the JSON first')
  })

  it('fills in only what is missing, never into another variant', () => {
    const target = { rotation: { optimizer: { kind: 'adam', lr: 0.5 } }, data: {} }
    fillMissing(target, {
      rotation: { optimizer: { kind: 'adam', lr: 0.1, beta: 0.9 }, steps: 10 },
      data: { source: { kind: 'mnist' } },
    })
    expect(target).toEqual({
      rotation: { optimizer: { kind: 'adam', lr: 0.5, beta: 0.9 }, steps: 10 },
      data: { source: { kind: 'mnist' } },
    })
    const switched = { optimizer: { kind: 'lbfgs' } }
    fillMissing(switched, { optimizer: { kind: 'adam', lr: 0.1 } })
    expect(switched).toEqual({ optimizer: { kind: 'lbfgs' } })
  })
})
