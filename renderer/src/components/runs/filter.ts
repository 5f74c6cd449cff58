import { keyMetricName } from '../../../../core/api/run-views.ts'
import { type CellValue, type RunColumn, type RunRow, cellValue } from './columns.ts'

/**
 * The runs table's structured filter: clauses `FIELD OP VALUE` joined by `and` (or `&&`),
 * e.g. `rotation.optimizer.lr < 1e-3 and layer2.nearZero.after > 0.4`. A field is any
 * column of the table: a config path, a key metric, or a run field (name, status, tags,
 * id, createdAt). `~` is a case-insensitive substring test.
 */
export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~'

export interface Clause {
  /** The field as typed. */
  readonly field: string
  /** The column it resolved to. */
  readonly key: string
  readonly op: Operator
  readonly value: string | number | boolean | null
}

export type ParsedFilter = { ok: true; clauses: Clause[] } | { ok: false; error: string }

/** Splits on `and` / `&&` outside quotes. */
function splitClauses(text: string): string[] {
  const parts: string[] = []
  let quote: string | null = null
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quote) {
      if (ch === quote) quote = null
      continue
    }
    if (ch === '"' || ch === "'") quote = ch
    else if (text.startsWith('&&', i)) {
      parts.push(text.slice(start, i))
      start = i + 2
      i++
    } else if (/\s/.test(ch) && /^\s+and(\s+|$)/i.test(text.slice(i))) {
      const m = /^\s+and(\s+|$)/i.exec(text.slice(i))!
      parts.push(text.slice(start, i))
      start = i + m[0].length
      i = start - 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim())
}

function parseValue(text: string): string | number | boolean | null {
  const quoted = /^(["'])(.*)\1$/.exec(text)
  if (quoted) return quoted[2]
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text)
  if (text === 'true' || text === 'false') return text === 'true'
  if (text === 'null') return null
  return text
}

/** The column a typed field names: its key, or the key with a config/metric/summary prefix. */
function resolveField(field: string, columns: readonly RunColumn[]): string | null {
  const keys = new Set(columns.map((c) => c.key))
  const aliases: Record<string, string> = { '#': 'id', created: 'createdAt', tag: 'tags' }
  const candidates = [
    aliases[field] ?? field,
    `metric.${field}`,
    `config.${field}`,
    `summary.${field}`,
  ]
  return candidates.find((k) => keys.has(k)) ?? null
}

/** Fields ending like the unknown one ("lr" → "rotation.optimizer.lr"), for the error. */
function suggestions(field: string, columns: readonly RunColumn[]): string[] {
  const tail = field.toLowerCase()
  return columns
    .map((c) => c.key.replace(/^(config|metric|summary)\./, ''))
    .filter((k) => k.toLowerCase().endsWith(`.${tail}`) || k.toLowerCase().includes(tail))
    .slice(0, 3)
}

function parseClause(
  text: string,
  n: number,
  columns: readonly RunColumn[],
): Clause | { error: string } {
  const where = `clause ${n} “${text}”`
  if (!text) return { error: `${where}: empty — write FIELD OP VALUE, e.g. seed = 1` }
  const m = /^([^\s<>=!~]+)\s*(<=|>=|!=|==|=|<|>|~)\s*(.*)$/.exec(text)
  if (!m) {
    return {
      error: `${where}: expected FIELD OP VALUE with OP one of = != < <= > >= ~ (e.g. rotation.optimizer.lr < 1e-3)`,
    }
  }
  const [, field, rawOp, rawValue] = m
  const op = (rawOp === '==' ? '=' : rawOp) as Operator
  if (!rawValue.trim()) return { error: `${where}: expected a value after ${rawOp}` }
  const key = resolveField(field, columns)
  if (!key) {
    const like = suggestions(field, columns)
    return {
      error:
        `${where}: no field “${field}” in these runs` +
        (like.length
          ? ` — did you mean ${like.join(', ')}?`
          : ` — fields are config paths (rotation.optimizer.lr), metrics (${keyMetricName(1, 'nearZero', 'after')}) or name, status, tags`),
    }
  }
  const value = parseValue(rawValue.trim())
  if ((op === '<' || op === '<=' || op === '>' || op === '>=') && typeof value === 'boolean') {
    return { error: `${where}: ${op} compares numbers or text, not ${value}` }
  }
  return { field, key, op, value }
}

/** Parses a filter; an empty text is no filter. Errors name the clause and what was expected. */
export function parseFilter(text: string, columns: readonly RunColumn[]): ParsedFilter {
  if (!text.trim()) return { ok: true, clauses: [] }
  const clauses: Clause[] = []
  const parts = splitClauses(text)
  for (let i = 0; i < parts.length; i++) {
    const c = parseClause(parts[i], i + 1, columns)
    if ('error' in c) return { ok: false, error: c.error }
    clauses.push(c)
  }
  return { ok: true, clauses }
}

function compare(cell: CellValue, op: Operator, value: Clause['value']): boolean {
  if (cell === null) return op === '!=' && value !== null
  if (op === '~') return String(cell).toLowerCase().includes(String(value).toLowerCase())
  if (value === null) return op === '!='
  if (op === '=' || op === '!=') {
    const same =
      typeof cell === 'number' && typeof value === 'number'
        ? cell === value
        : String(cell).toLowerCase() === String(value).toLowerCase()
    return op === '=' ? same : !same
  }
  let d: number
  if (typeof cell === 'number' && typeof value === 'number') d = cell - value
  else if (typeof cell === 'string' && typeof value === 'string') {
    d = cell.localeCompare(value, undefined, { numeric: true })
  } else return false
  return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0
}

/** Whether a run passes every clause (a run without the field passes only `!=`). */
export function matchesClauses(row: RunRow, clauses: readonly Clause[]): boolean {
  return clauses.every((c) => compare(cellValue(row, c.key), c.op, c.value))
}
