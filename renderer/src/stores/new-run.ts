import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { CommandResult } from '../../../core/api/contract.ts'
import { api } from '../api/client.ts'

/** A run config as the form edits it: plain JSON, checked only by the backend. */
export type ConfigObject = Record<string, unknown>
export type Preset = CommandResult<'config.presets'>[number]
export type Validation = CommandResult<'config.validate'>

const STORAGE_PREFIX = 'basiscope.lastRunConfig:'

/** Keys that select a variant of a config object (the schema's discriminated unions). */
export const DISCRIMINATORS = ['name', 'source', 'kind']

function isObject(v: unknown): v is ConfigObject {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** A config as canonical text (keys sorted, the run name left out): equal text, equal config. */
function canonical(value: unknown, top = true): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, false)).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => !(top && k === 'name') && value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], false)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** Whether two run configs hold the same values (the run name aside, key order aside). */
export function sameConfig(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b)
}

/** A config the form can start from: a preset, the defaults, the last run, a cloned run. */
export interface StartingPoint {
  readonly id: string
  readonly label: string
  /** Complete (the backend filled in every default), so it compares with the form's values. */
  readonly config: ConfigObject
}

/** The starting points whose values the form holds now (several when two presets agree). */
export function matchingPoints(config: unknown, points: readonly StartingPoint[]): StartingPoint[] {
  return points.filter((p) => sameConfig(config, p.config))
}

/**
 * Merges a partial config onto a full one. Where the two name different variants (another
 * optimizer, data source, split kind…) the patch replaces the object: the old variant's
 * parameters would be unknown keys in the new one.
 */
export function mergeConfig(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return clone(patch)
  const switched = DISCRIMINATORS.some(
    (k) => typeof base[k] === 'string' && k in patch && patch[k] !== base[k],
  )
  if (switched) return clone(patch)
  const out: ConfigObject = clone(base)
  for (const [k, v] of Object.entries(patch)) out[k] = k in out ? mergeConfig(out[k], v) : clone(v)
  return out
}

/**
 * What the New run form needs from the backend: the default config, the presets, and the
 * one validation (the backend's schema). Also remembers the last config started per
 * project, in localStorage.
 */
export const useNewRunStore = defineStore('new-run', () => {
  const defaults = ref<ConfigObject | null>(null)
  const presets = ref<Preset[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    if (defaults.value) return
    loading.value = true
    try {
      const [d, p] = await Promise.all([
        api().call('config.defaults'),
        api().call('config.presets'),
      ])
      defaults.value = d as ConfigObject
      presets.value = p
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  async function validate(config: unknown): Promise<Validation> {
    return api().call('config.validate', { config })
  }

  /**
   * The backend's full config for a partial one (defaults filled in), or null when it is
   * not valid. The form uses it for the parameters of a newly chosen optimizer or measure.
   */
  async function complete(config: unknown): Promise<ConfigObject | null> {
    const r = await validate(config)
    return r.ok ? (r.config as ConfigObject) : null
  }

  /** A preset merged onto the defaults; its display name is not a run name. */
  function fromPreset(preset: Preset): ConfigObject {
    const patch = isObject(preset.config) ? { ...preset.config } : {}
    delete patch.name
    return mergeConfig(defaults.value ?? {}, patch) as ConfigObject
  }

  /** A config with the backend's defaults filled in; as it is when the backend refuses it. */
  async function completed(config: ConfigObject): Promise<ConfigObject> {
    try {
      return (await complete(config)) ?? config
    } catch {
      return config
    }
  }

  /**
   * What the form can start from, each complete: a run to clone, the project's last
   * config, the defaults and every preset. Presets are partial files; completing them is
   * what tells whether one of them equals the defaults.
   */
  async function startingPoints(
    project: string,
    source: { id: number; name: string; config: unknown } | null,
  ): Promise<StartingPoint[]> {
    const points: { id: string; label: string; config: ConfigObject }[] = []
    if (source && isObject(source.config)) {
      points.push({
        id: 'clone',
        label: `Run #${source.id} “${source.name}”`,
        config: source.config,
      })
    }
    const last = lastConfig(project)
    if (last) points.push({ id: 'last', label: 'Last used in this project', config: last })
    if (defaults.value) points.push({ id: 'defaults', label: 'Defaults', config: defaults.value })
    for (const p of presets.value) points.push({ id: p.id, label: p.name, config: fromPreset(p) })
    return Promise.all(
      points.map(async (p) => {
        const { name: _name, ...rest } = await completed(clone(p.config))
        return { ...p, config: rest }
      }),
    )
  }

  function lastConfig(project: string): ConfigObject | null {
    try {
      const text = globalThis.localStorage?.getItem(STORAGE_PREFIX + project)
      const value: unknown = text ? JSON.parse(text) : null
      return isObject(value) ? value : null
    } catch {
      return null
    }
  }

  /** Remembers a started config for the next run of the project (without its run name). */
  function remember(project: string, config: ConfigObject): void {
    const { name: _name, ...rest } = config
    try {
      globalThis.localStorage?.setItem(STORAGE_PREFIX + project, JSON.stringify(rest))
    } catch {
      // A full or disabled storage only loses the convenience, never the run.
    }
  }

  return {
    defaults,
    presets,
    loading,
    error,
    load,
    validate,
    fromPreset,
    startingPoints,
    lastConfig,
    remember,
  }
})
