/**
 * The small checks every reader of untrusted files uses (JSON documents, model files,
 * headers), and how their messages show values: one definition each.
 */

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

export function isPositiveInteger(v: unknown): v is number {
  return isNonNegativeInteger(v) && v > 0
}

/** What a JSON value is, for "expected an object, got an array" messages. */
export function describeJson(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return `a ${typeof v}`
}

/** `[128, 784]`, as messages show shapes. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}

/** The message of anything thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
