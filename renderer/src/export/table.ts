/**
 * Tables as plain data (columns + rows), so one definition renders on screen and exports
 * as CSV (spreadsheets) and JSON (scripts) with the same numbers, unrounded.
 */
export type Cell = string | number | boolean | null

export interface TableColumn {
  readonly key: string
  readonly label: string
}

export interface Table {
  readonly name: string
  readonly columns: readonly TableColumn[]
  readonly rows: readonly Readonly<Record<string, Cell>>[]
}

function csvCell(v: Cell | undefined): string {
  if (v === null || v === undefined) return ''
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** RFC 4180 CSV: a header of column keys, full-precision numbers, CRLF line ends. */
export function tableToCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvCell(c.key)).join(',')]
  for (const row of table.rows) lines.push(table.columns.map((c) => csvCell(row[c.key])).join(','))
  return lines.join('\r\n') + '\r\n'
}

/** JSON: one object per row, keys in column order; non-finite numbers become null. */
export function tableToJson(table: Table): string {
  const rows = table.rows.map((row) =>
    Object.fromEntries(
      table.columns.map((c) => {
        const v = row[c.key] ?? null
        return [c.key, typeof v === 'number' && !Number.isFinite(v) ? null : v]
      }),
    ),
  )
  return JSON.stringify({ table: table.name, rows }, null, 2) + '\n'
}
