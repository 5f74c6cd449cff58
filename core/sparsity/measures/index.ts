import { measureDefaults } from '../../api/run-config.ts'
import { hoyerMeasure } from './hoyer.ts'
import { l1Measure } from './l1.ts'
import { logMeasure } from './log.ts'
import { lpMeasure } from './lp.ts'
import type { Measure, MeasureSpec } from './measure.ts'
import { quartimaxMeasure } from './quartimax.ts'

export type { Measure, MeasureName, MeasureSpec } from './measure.ts'
export { MEASURE_NAMES, measureValue } from './measure.ts'

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
  l1: measureDefaults('l1'),
  lp: measureDefaults('lp'),
  log: measureDefaults('log'),
}
