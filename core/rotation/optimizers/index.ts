import type { OptimizerConfig } from '../../experiment/config.ts'
import type { RotationOptimizer } from './optimizer.ts'
import { riemannianAdam } from './riemannian-adam.ts'
import { seedGd } from './seed-gd.ts'

export type {
  OptimizerName,
  RotationOptimizer,
  StoppingRules,
  OptimizeResult,
} from './optimizer.ts'

export function createOptimizer(config: OptimizerConfig): RotationOptimizer {
  switch (config.name) {
    case 'seed-gd':
      return seedGd(config)
    case 'riemannian-adam':
      return riemannianAdam(config)
  }
}
