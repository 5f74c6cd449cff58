import { type RunConfig, checkRunConfig } from '../api/run-config.ts'
import { BasiscopeError } from '../errors.ts'

/** Validates a config document; throws a BasiscopeError listing every problem by path. */
export function parseRunConfig(value: unknown, source = 'config'): RunConfig {
  const checked = checkRunConfig(value)
  if (checked.ok) return checked.config
  const { issues } = checked
  const text = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')
  throw new BasiscopeError(
    'INVALID_CONFIG',
    `${source} is not a valid run config:\n${text}`,
    issues[0]?.path,
    issues,
  )
}
