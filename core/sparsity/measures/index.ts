import { hoyerMeasure } from './hoyer.ts'
import { l1Measure } from './l1.ts'
import { logMeasure } from './log.ts'
import { lpMeasure } from './lp.ts'
import type { Measure, MeasureSpec } from './measure.ts'
import { quartimaxMeasure } from './quartimax.ts'

export type { Measure, MeasureName, MeasureSpec } from './measure.ts'
export { MEASURE_NAMES, measureValue } from './measure.ts'

export const DEFAULT_LP = { p: 0.5, eps: 1e-3 } as const
export const DEFAULT_LOG_EPS = 1e-3

export function createMeasure(spec: MeasureSpec): Measure {
  switch (spec.name) {
    case 'l1':
      return l1Measure()
    case 'lp':
      return lpMeasure(spec.p, spec.eps)
    case 'log':
      return logMeasure(spec.eps)
    case 'hoyer':
      return hoyerMeasure()
    case 'quartimax':
      return quartimaxMeasure()
  }
}

/** The measures `eval` reports for every layer, with their default parameters. */
export const REPORTED_MEASURES: Record<'l1' | 'lp' | 'log', MeasureSpec> = {
  l1: { name: 'l1' },
  lp: { name: 'lp', ...DEFAULT_LP },
  log: { name: 'log', eps: DEFAULT_LOG_EPS },
}
