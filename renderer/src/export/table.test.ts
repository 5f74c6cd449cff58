import { describe, expect, it } from 'vitest'
import { type Table, tableToCsv, tableToJson } from './table.ts'

const table: Table = {
  name: 'held-out metrics',
  columns: [
    { key: 'layer', label: 'layer' },
    { key: 'note', label: 'note' },
    { key: 'value', label: 'value' },
  ],
  rows: [
    { layer: 1, note: 'plain', value: 0.123456789012 },
    { layer: 2, note: 'has, comma and "quotes"', value: NaN },
    { layer: 3, note: null },
  ],
}

describe('table export', () => {
  it('writes RFC 4180 CSV with full-precision numbers and empty cells for missing values', () => {
    expect(tableToCsv(table)).toBe(
      'layer,note,value\r\n1,plain,0.123456789012\r\n2,"has, comma and ""quotes""",\r\n3,,\r\n',
    )
  })

  it('writes JSON rows keyed by column, with null for missing and non-finite numbers', () => {
    const parsed = JSON.parse(tableToJson(table))
    expect(parsed.table).toBe('held-out metrics')
    expect(parsed.rows).toEqual([
      { layer: 1, note: 'plain', value: 0.123456789012 },
      { layer: 2, note: 'has, comma and "quotes"', value: null },
      { layer: 3, note: null, value: null },
    ])
    expect(Object.keys(parsed.rows[0])).toEqual(['layer', 'note', 'value'])
  })
})
