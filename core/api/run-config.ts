import { z } from 'zod'
import { analysesSchema } from './config/analyses.ts'
import { checkIrls, checkOblique, checkSizes } from './config/cross-checks.ts'
import { int, seedSchema } from './config/numbers.ts'
import {
  backendSchema,
  dataSchema,
  evaluationSchema,
  modelSchema,
  rotationSchema,
} from './config/sections.ts'

/**
 * The run config: one JSON document, validated here, documented in docs/run-config.md.
 * Every object is strict (an unknown key is an error, not silently ignored), every
 * number range-checked, and defaults filled in so a stored config says exactly what ran.
 * Its parts live in ./config/: the measures and optimizers with their defaults, the
 * data/model/rotation/evaluation sections, the analyses, and the rules across sections.
 */
export const runConfigSchema = z
  .strictObject({
    name: z.string().max(200).optional(),
    seed: seedSchema().default(0),
    /**
     * Run the experiment over this many model seeds: seed, seed + 1, … (and model.seed + i
     * where it is set). A project records them as one group of runs; the CLI prints their
     * mean ± sd. Each run's stored config says seeds: 1 and its own seed.
     */
    seeds: int(1, 100).default(1),
    backend: backendSchema.default('auto'),
    data: dataSchema.prefault({ source: 'mnist-embedded' }),
    model: modelSchema.prefault({ source: 'train' }),
    rotation: rotationSchema.prefault({}),
    evaluation: evaluationSchema.prefault({}),
    analyses: analysesSchema.prefault({}),
  })
  .superRefine(checkOblique)
  .superRefine(checkIrls)
  .superRefine(checkSizes)

export type RunConfig = z.infer<typeof runConfigSchema>
export type RunConfigInput = z.input<typeof runConfigSchema>

/**
 * The runs a config stands for: one per model seed (config.seeds), each with its own seed
 * and seeds: 1, named "<name> · seed <s>" when the config is named.
 */
export function seedConfigs(config: RunConfig): RunConfig[] {
  if (config.seeds === 1) return [config]
  return Array.from({ length: config.seeds }, (_, i) => {
    const seed = config.seed + i
    const model =
      config.model.source === 'train' && config.model.seed !== undefined
        ? { ...config.model, seed: config.model.seed + i }
        : config.model
    return {
      ...config,
      ...(config.name ? { name: `${config.name} · seed ${seed}` } : {}),
      seed,
      seeds: 1,
      model,
    }
  })
}

export function defaultConfig(): RunConfig {
  return runConfigSchema.parse({})
}

/** One problem in a config: the field path and what was expected. */
export interface ConfigIssue {
  readonly path: string
  readonly message: string
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
    '',
  )
}

/** Every problem of a config document by field path, or the parsed config when there is none. */
export function checkRunConfig(
  value: unknown,
): { ok: true; config: RunConfig } | { ok: false; issues: ConfigIssue[] } {
  const result = runConfigSchema.safeParse(value)
  if (result.success) return { ok: true, config: result.data }
  const issues: ConfigIssue[] = result.error.issues.map((issue) => {
    const base = formatPath(issue.path)
    if (issue.code === 'unrecognized_keys') {
      return {
        path: issue.keys.map((k) => (base ? `${base}.${k}` : k)).join(', '),
        message: `unknown key${issue.keys.length > 1 ? 's' : ''} (not part of the run config)`,
      }
    }
    if (issue.code === 'invalid_union' && 'discriminator' in issue && 'options' in issue) {
      // zod lists a defaulted discriminator's `undefined` among the options; say it plainly.
      const options = (issue.options as unknown[]).filter((o) => o !== undefined)
      return {
        path: base || '(root)',
        message: `unknown ${String(issue.discriminator)}; expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}`,
      }
    }
    return { path: base || '(root)', message: issue.message }
  })
  return { ok: false, issues }
}
