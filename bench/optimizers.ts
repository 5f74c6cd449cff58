import { type OptimizerConfig, parseRunConfig } from '../core/experiment/config.ts'

/** Every optimizer the run config knows, each with its config defaults. */
export function benchOptimizers(): { name: string; config: OptimizerConfig }[] {
  return OPTIMIZER_NAMES.map((name) => ({
    name,
    config: parseRunConfig({ rotation: { optimizer: { name } } }).rotation.optimizer,
  }))
}

export const OPTIMIZER_NAMES = [
  'seed-gd',
  'riemannian-adam',
  'landing',
  'dyntriv',
  'rgd-armijo',
  'rcg',
] as const
