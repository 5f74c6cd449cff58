import type { OptimizerConfig } from '../../api/config/optimizer.ts'
import { dynamicTrivialization } from './dynamic-trivialization.ts'
import { irlsLp } from './irls-lp.ts'
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
export type { DynTrivOptions } from './dynamic-trivialization.ts'
export type { IrlsOptions } from './irls-lp.ts'
export type { LandingOptions } from './landing.ts'
export type { RcgOptions } from './riemannian-cg.ts'
export type { RgdArmijoOptions } from './riemannian-gd.ts'
export type { ReferenceAdamOptions } from './reference-adam.ts'

/**
 * The manifold optimizers beyond the default and the reference, by name: each factory takes a
 * partial options object (missing fields from the config schema's defaults) and ignores a `name` field,
 * so a parsed config entry can be passed as is.
 */
export const EXTRA_OPTIMIZERS = {
  'rgd-armijo': rgdArmijo,
  rcg: riemannianCg,
  landing,
  dyntriv: dynamicTrivialization,
  'reference-adam': referenceAdam,
  'irls-lp': irlsLp,
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
