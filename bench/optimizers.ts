import { IRLS_MEASURES } from '../core/api/config/cross-checks.ts'
import { type OptimizerConfig } from '../core/api/config/optimizer.ts'
import { defaultConfig } from '../core/api/run-config.ts'
import { parseRunConfig } from '../core/experiment/config.ts'

export interface BenchEntry {
  readonly name: string
  readonly config: OptimizerConfig
  readonly budgetSeconds: number
  /** Full-batch optimizers report the full objective at every step. */
  readonly fullBatch: boolean
}

const configOf = (name: string): OptimizerConfig =>
  parseRunConfig({ rotation: { optimizer: { name } } }).rotation.optimizer

const entry = (config: OptimizerConfig, budgetSeconds: number): BenchEntry => ({
  name: config.name,
  config,
  budgetSeconds,
  fullBatch: 'batchSize' in config && config.batchSize === null,
})

/**
 * What runs on every problem. The reference first (everything is measured against it),
 * then the default optimizer with the 12 s the target gives it, then the original method;
 * the full bench adds every other optimizer the run config knows that takes the problem's
 * measure (irls-lp: lp and log only).
 */
export function benchOptimizers(
  mode: 'quick' | 'full',
  budgets: { reference: number; fast: number; seed: number; others: number },
  measure: string,
): BenchEntry[] {
  const fast = defaultConfig().rotation.optimizer
  const list = [
    entry(configOf('reference-adam'), budgets.reference),
    entry(fast, budgets.fast),
    entry(configOf('seed-gd'), budgets.seed),
  ]
  if (mode === 'full') {
    for (const name of ['landing', 'dyntriv', 'rgd-armijo', 'rcg', 'irls-lp']) {
      if (name === 'irls-lp' && !IRLS_MEASURES.includes(measure)) continue
      list.push(entry(configOf(name), budgets.others))
    }
  }
  return list
}
