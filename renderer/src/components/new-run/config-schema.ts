import type { z } from 'zod'
import { runConfigSchema } from '../../../../core/api/run-config.ts'
import type { ConfigObject } from '../../stores/new-run.ts'

/**
 * What the New run form reads off the run-config schema (core/api/run-config.ts): which
 * kind of input a path takes, the options of every choice, what "empty" means, and the
 * defaults a newly picked variant or analysis starts from. Nothing here restates a list or
 * a default; the form's own words (labels, hints) live in fields.ts.
 */
type Schema = z.ZodType
interface Def {
  readonly type: string
  readonly innerType?: Schema
  readonly discriminator?: string
  readonly options?: readonly Schema[]
  readonly element?: Schema
  readonly entries?: Readonly<Record<string, string>>
  readonly values?: readonly unknown[]
  readonly shape?: Readonly<Record<string, Schema>>
}

function def(s: Schema): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'nonoptional'])

/** A schema without its default/optional/nullable wrappers, and what they allowed. */
function unwrap(s: Schema): { schema: Schema; nullable: boolean; optional: boolean } {
  let schema = s
  let nullable = false
  let optional = false
  for (let d = def(schema); WRAPPERS.has(d.type) && d.innerType; d = def(schema)) {
    if (d.type === 'nullable') nullable = true
    if (d.type === 'optional') optional = true
    schema = d.innerType
  }
  return { schema, nullable, optional }
}

function shapeOf(s: Schema): Readonly<Record<string, Schema>> | null {
  const d = def(s)
  return d.type === 'object' && d.shape ? d.shape : null
}

function isObject(v: unknown): v is ConfigObject {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

/** The literal a variant's discriminator field holds. */
function literalOf(s: Schema): unknown {
  return def(unwrap(s).schema).values?.[0]
}

/** A discriminated union's variants by their discriminator value. */
function variants(s: Schema): { key: string; options: Map<unknown, Schema> } | null {
  const d = def(s)
  if (d.type !== 'union' || !d.discriminator || !d.options) return null
  const key = d.discriminator
  return {
    key,
    options: new Map(d.options.map((o) => [literalOf(shapeOf(o)?.[key] ?? o), o])),
  }
}

/** The object schema a value has: the union variant it names, or the object itself. */
function objectFor(s: Schema, value: unknown): Schema | null {
  const inner = unwrap(s).schema
  const v = variants(inner)
  if (!v) return shapeOf(inner) ? inner : null
  return v.options.get(isObject(value) ? value[v.key] : undefined) ?? null
}

function valueAt(config: unknown, keys: readonly string[]): unknown {
  let cur = config
  for (const k of keys) cur = isObject(cur) ? cur[k] : undefined
  return cur
}

/** The schema of a dotted path of the config, following the variants the config picks. */
export function schemaAt(config: unknown, path: string): Schema | null {
  const keys = path.split('.')
  let node: Schema = runConfigSchema
  for (let i = 0; i < keys.length; i++) {
    const object = objectFor(node, valueAt(config, keys.slice(0, i)))
    const next = object && shapeOf(object)?.[keys[i]]
    if (!next) return null
    node = next
  }
  return node
}

/** Whether a path is the discriminator of the object holding it (`rotation.optimizer.name`). */
function discriminatorOf(
  config: unknown,
  path: string,
): { key: string; options: Map<unknown, Schema> } | null {
  const cut = path.lastIndexOf('.')
  const parent = cut < 0 ? null : schemaAt(config, path.slice(0, cut))
  const v = parent && variants(unwrap(parent).schema)
  return v && v.key === path.slice(cut + 1) ? v : null
}

export type InputKind = 'int' | 'number' | 'text' | 'select' | 'checkbox' | 'int-list' | 'toggle'

/** What kind of input edits a path, the choices it offers, and what leaving it empty means. */
export interface InputSchema {
  readonly kind: InputKind
  readonly options?: readonly string[]
  /** A select that picks a variant (optimizer, measure, source…): it replaces its object. */
  readonly variant?: boolean
  /** Empty means null ("all", "never") or leaving the key out (the default applies). */
  readonly empty?: 'null' | 'omit'
}

export function inputSchema(config: unknown, path: string): InputSchema | null {
  const union = discriminatorOf(config, path)
  if (union) {
    return { kind: 'select', variant: true, options: [...union.options.keys()].map(String) }
  }
  const node = schemaAt(config, path)
  if (!node) return null
  const { schema, nullable, optional } = unwrap(node)
  const empty = nullable ? ('null' as const) : optional ? ('omit' as const) : undefined
  const d = def(schema)
  switch (d.type) {
    case 'enum': {
      const options = Object.values(d.entries ?? {})
      return { kind: 'select', options: optional ? ['', ...options] : options, empty }
    }
    case 'number':
      return { kind: (schema as z.ZodNumber).isInt ? 'int' : 'number', empty }
    case 'boolean':
      return { kind: 'checkbox' }
    case 'string':
      return { kind: 'text', empty }
    case 'array':
      return { kind: 'int-list' }
    case 'object':
      return { kind: 'toggle' }
  }
  return null
}

/**
 * An object with every default the schema has, required text fields empty (so the
 * backend's check names them) and optional fields left out.
 */
function objectDefaults(object: Schema, seed: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...seed }
  for (const [key, field] of Object.entries(shapeOf(object) ?? {})) {
    if (key in out) continue
    const type = def(field).type
    if (type === 'default' || type === 'prefault') {
      out[key] = JSON.parse(JSON.stringify(field.parse(undefined))) as unknown
    } else if (type !== 'optional') {
      const inner = unwrap(field).schema
      if (def(inner).type === 'string') out[key] = ''
      else if (shapeOf(inner)) out[key] = objectDefaults(inner, {})
    }
  }
  return out
}

/** What picking `value` for a variant selector starts from: that variant with its defaults. */
export function variantDefaults(config: unknown, path: string, value: string): ConfigObject {
  const union = discriminatorOf(config, path)
  const option = union?.options.get(value)
  const seed = { [path.slice(path.lastIndexOf('.') + 1)]: value }
  return option ? objectDefaults(option, seed) : seed
}

/** An optional object (an analysis) turned on: its fields with their defaults. */
export function objectDefaultsAt(config: unknown, path: string): ConfigObject {
  const node = schemaAt(config, path)
  const object = node && objectFor(node, {})
  return object ? objectDefaults(object, {}) : {}
}

/** The fields of the object at a path (the variant the config picks), discriminator aside. */
export function fieldsOf(config: unknown, path: string): string[] {
  const node = schemaAt(config, path)
  const object = node && objectFor(node, valueAt(config, path.split('.')))
  if (!object) return []
  const discriminator = variants(unwrap(node).schema)?.key
  return Object.keys(shapeOf(object) ?? {}).filter((k) => k !== discriminator)
}
