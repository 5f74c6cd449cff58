import { BasiscopeError } from '../../errors.ts'
import { type ConfigIssue, defaultConfig } from '../../api/run-config.ts'
import { parseRunConfig } from '../../experiment/config.ts'
import { APP_VERSION } from '../../version.ts'
import type { DomainHandlers, ServiceContext } from '../context.ts'
import { DEFAULT_PRESETS_DIR, readPresets } from '../presets.ts'

/** `app.*` and `config.*`: what the app is and the run-config vocabulary. */
export function appHandlers(ctx: ServiceContext): DomainHandlers<'app' | 'config'> {
  return {
    'app.info': () => ({
      version: APP_VERSION,
      workspace: ctx.options.workspaceDir,
      exportDir: ctx.exportDir,
      concurrency: ctx.options.concurrency ?? 1,
    }),
    'config.defaults': () => defaultConfig(),
    'config.presets': () => readPresets(ctx.options.presetsDir ?? DEFAULT_PRESETS_DIR),
    'config.validate': ({ config }) => {
      try {
        return { ok: true, config: parseRunConfig(config), issues: [] }
      } catch (e) {
        if (e instanceof BasiscopeError && e.code === 'INVALID_CONFIG') {
          return { ok: false, config: null, issues: (e.details as ConfigIssue[]) ?? [] }
        }
        throw e
      }
    },
  }
}
