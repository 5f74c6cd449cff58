import { z } from 'zod'

/** `app.*` and `config.*`: what the backend is, and the run config's defaults, presets and checks. */
export const appCommands = {
  'app.info': {
    params: z.strictObject({}),
    result: z.object({
      version: z.string(),
      workspace: z.string(),
      /** Where exports go when no destination is given (outside the workspace). */
      exportDir: z.string(),
      concurrency: z.number().int(),
    }),
  },
  'config.defaults': { params: z.strictObject({}), result: z.unknown() },
  /** The run-config presets shipped in resources/presets, as partial configs. */
  'config.presets': {
    params: z.strictObject({}),
    result: z.array(z.object({ id: z.string(), name: z.string(), config: z.unknown() })),
  },
  'config.validate': {
    params: z.strictObject({ config: z.unknown() }),
    result: z.object({
      ok: z.boolean(),
      config: z.unknown().nullable(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  },
} as const
