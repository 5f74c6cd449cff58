import type { OptimizerConfig } from '../../experiment/config.ts'
import { dynamicTrivialization } from './dynamic-trivialization.ts'
import { landing } from './landing.ts'
import type { ExtraOptimizerName, RotationOptimizer } from './optimizer.ts'
import { riemannianAdam } from './riemannian-adam.ts'
import { referenceAdam } from './reference-adam.ts'
import { riemannianCg } from './riemannian-cg.ts'
import { rgdArmijo } from './riemannian-gd.ts'
import { seedGd } from './seed-gd.ts'

export type {
  OptimizerName,
  RotationOptimizer,
  StoppingRules,
  OptimizeResult,
  ExtraOptimizerName,
  ExtraRotationOptimizer,
} from './optimizer.ts'
export { type DynTrivOptions, DYNTRIV_DEFAULTS } from './dynamic-trivialization.ts'
export { type LandingOptions, LANDING_DEFAULTS } from './landing.ts'
export { type RcgOptions, RCG_DEFAULTS } from './riemannian-cg.ts'
export { type RgdArmijoOptions, RGD_ARMIJO_DEFAULTS } from './riemannian-gd.ts'
export { type ReferenceAdamOptions, REFERENCE_ADAM_DEFAULTS } from './reference-adam.ts'

/**
 * The manifold optimizers beyond the default and the reference, by name: each factory takes a
 * partial options object (missing fields from its *_DEFAULTS) and ignores a `name` field,
 * so a parsed config entry can be passed as is.
 */
export const EXTRA_OPTIMIZERS = {
  'rgd-armijo': rgdArmijo,
  rcg: riemannianCg,
  landing,
  dyntriv: dynamicTrivialization,
  'reference-adam': referenceAdam,
} as const satisfies Record<ExtraOptimizerName, unknown>

export function createOptimizer(config: OptimizerConfig): RotationOptimizer {
  switch (config.name) {
    case 'seed-gd':
      return seedGd(config)
    case 'riemannian-adam':
      return riemannianAdam(config)
    default:
      return EXTRA_OPTIMIZERS[config.name](config)
  }
}
