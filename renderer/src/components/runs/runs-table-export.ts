import type { Cell, Table, TableColumn } from '../../export/table.ts'
import { keyMetricName } from '../../../../core/api/run-views.ts'
import { type RunColumn, type RunRow, cellValue, nearZeroColumnLayer } from './columns.ts'
import type { RunGroup } from './groups.ts'

/**
 * The runs table as a file: one row per shown run, the chosen columns with unrounded
 * values (nearZero columns as their before and after), and the group each run is in.
 */
export function runsExportTable(
  rows: readonly RunRow[],
  columns: readonly RunColumn[],
  groups: readonly RunGroup[] | null,
): Table {
  const out: TableColumn[] = []
  const readers: [string, (row: RunRow) => Cell][] = []
  if (groups) {
    const groupOf = new Map(groups.flatMap((g) => g.rows.map((r) => [r.run.id, g.label])))
    out.push({ key: 'group', label: 'group' })
    readers.push(['group', (r) => groupOf.get(r.run.id) ?? null])
  }
  for (const c of columns) {
    const layer = nearZeroColumnLayer(c.key)
    if (layer !== null) {
      for (const side of ['before', 'after'] as const) {
        const key = keyMetricName(layer, 'nearZero', side)
        out.push({ key, label: key })
        readers.push([key, (r) => r.run.keyMetrics[key] ?? null])
      }
    } else {
      const key = c.key.replace(/^(config|metric|summary)\./, '')
      out.push({ key, label: c.title })
      readers.push([key, (r) => cellValue(r, c.key)])
    }
  }
  return {
    name: 'runs',
    columns: out,
    rows: rows.map((r) => Object.fromEntries(readers.map(([k, read]) => [k, read(r)]))),
  }
}

/** The groups as a file: one row per group with n, and mean and sd of every numeric column. */
export function groupsExportTable(
  groups: readonly RunGroup[],
  columns: readonly RunColumn[],
): Table {
  const numeric = columns.filter((c) => c.numeric && c.key !== 'id')
  const name = (c: RunColumn) => c.key.replace(/^(config|metric|summary)\./, '')
  return {
    name: 'run-groups',
    columns: [
      { key: 'group', label: 'group' },
      { key: 'runs', label: 'runs' },
      { key: 'ids', label: 'run ids' },
      ...numeric.flatMap((c) => [
        { key: `${name(c)}.mean`, label: `${c.title} mean` },
        { key: `${name(c)}.sd`, label: `${c.title} sd` },
      ]),
    ],
    rows: groups.map((g) => ({
      group: g.label,
      runs: g.rows.length,
      ids: g.rows.map((r) => r.run.id).join(' '),
      ...Object.fromEntries(
        numeric.flatMap((c) => [
          [`${name(c)}.mean`, g.stats[c.key]?.mean ?? null],
          [`${name(c)}.sd`, g.stats[c.key]?.sd ?? null],
        ]),
      ),
    })),
  }
}
