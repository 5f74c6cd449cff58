import { BasiscopeError, fileError } from '../errors.ts'

/** JSON columns: written with `toJson`, read with `parseJson`. */

/** JSON text for a column; `undefined` is stored as `null`. */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value ?? null)
  } catch (e) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `${what} cannot be stored as JSON (${(e as Error).message})`,
      what,
    )
  }
  return text ?? 'null'
}

/** Parses a JSON column; invalid JSON means the file is damaged. */
export function parseJson(file: string, what: string, text: unknown): unknown {
  if (text === null || text === undefined) return null
  try {
    return JSON.parse(String(text)) as unknown
  } catch {
    throw fileError(file, `is damaged (${what} is not valid JSON)`)
  }
}

const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
}

/** Key metrics as JSON, keeping NaN and ±Infinity (as the strings 'NaN', 'Infinity', '-Infinity'). */
export function encodeKeyMetrics(metrics: Record<string, number>, what: string): string {
  const out: Record<string, number | string> = {}
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') {
      throw new BasiscopeError(
        'INVALID_ARGUMENT',
        `${what}.${key} must be a number`,
        `${what}.${key}`,
      )
    }
    out[key] = Number.isFinite(value) ? value : String(value)
  }
  return JSON.stringify(out)
}

export function decodeKeyMetrics(
  file: string,
  what: string,
  text: unknown,
): Record<string, number> {
  return keyMetricsFrom(parseJson(file, what, text))
}

/** The key metrics of parsed key-metrics JSON; entries that are not numbers are left out. */
export function keyMetricsFrom(parsed: unknown): Record<string, number> {
  const out: Record<string, number> = {}
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return out
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'number') out[key] = value
    else if (typeof value === 'string' && Object.hasOwn(NON_FINITE, value))
      out[key] = NON_FINITE[value]
  }
  return out
}
