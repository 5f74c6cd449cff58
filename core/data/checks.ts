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

/** Where a reader reports what it accepted but did not use (the CLI's stderr, a run's log). */
export type Warn = (message: string) => void

/**
 * The one message for keys a data file holds beside the ones it is read for (data files
 * are lenient; run configs stay strict).
 */
export function ignoredKeysWarning(keys: readonly string[], known: readonly string[]): string {
  const list = keys.map((k) => JSON.stringify(k)).join(', ')
  const uses = known.map((k) => JSON.stringify(k)).join(', ')
  return `ignoring unknown key${keys.length > 1 ? 's' : ''} ${list} (only ${uses} ${known.length > 1 ? 'are' : 'is'} read)`
}
