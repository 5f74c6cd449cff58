import { measureDefaults } from '../../api/config/measure.ts'
import { hoyerMeasure } from './hoyer.ts'
import { l1Measure } from './l1.ts'
import { logMeasure } from './log.ts'
import { lpMeasure } from './lp.ts'
import type { Measure, MeasureSpec, MixWeights } from './measure.ts'
import { quartimaxMeasure } from './quartimax.ts'

export type { Measure, MeasureMix, MeasureName, MeasureSpec, SquareForm } from './measure.ts'
export { MEASURE_NAMES, measureMix, measureValue } from './measure.ts'

export function createMeasure(spec: MeasureSpec): Measure {
  switch (spec.name) {
    case 'l1':
      return l1Measure(mixWeights(spec))
    case 'lp':
      return lpMeasure(spec.p, spec.eps, mixWeights(spec))
    case 'log':
      return logMeasure(spec.eps, mixWeights(spec))
    case 'hoyer':
      return hoyerMeasure()
    case 'quartimax':
      return quartimaxMeasure()
  }
}

/** The weights a spec states (absent ones stay absent, so the measure's spec equals it). */
function mixWeights(spec: MixWeights): MixWeights {
  return {
    ...(spec.perInput !== undefined ? { perInput: spec.perInput } : {}),
    ...(spec.edge !== undefined ? { edge: spec.edge } : {}),
  }
}

/** The measures `eval` reports for every layer, with their default parameters. */
export const REPORTED_MEASURES: Record<'l1' | 'lp' | 'log', MeasureSpec> = {
  l1: measureDefaults('l1'),
  lp: measureDefaults('lp'),
  log: measureDefaults('log'),
}
