import type { ArtifactInfo, MetricPoint } from '../api/records.ts'
import { type Connection, invalidArgument, nonEmptyName } from './connection.ts'
import { downsampleMinMax } from './downsample.ts'
import { parseJson, toJson } from './json.ts'
import { decodeTensor, encodeTensor, isDtype } from './tensor-codec.ts'
import type { MetricInput, StoredTensor } from './types.ts'

/** The `metrics` and `artifacts` tables: what a run streams while it runs. */

const ARTIFACT_COLUMNS = 'id, run_id, kind, name, meta, dtype, shape, bytes'

interface ArtifactRow {
  id: number
  run_id: number
  kind: string
  name: string
  meta: string
  dtype: string | null
  shape: string | null
  bytes: number
}

// Metrics

export function appendMetrics(c: Connection, runId: number, points: readonly MetricInput[]): void {
  for (const p of points) {
    if (typeof p.key !== 'string' || p.key === '') {
      throw invalidArgument('metric key must be a non-empty string', 'key')
    }
    if (!Number.isFinite(p.step) || !Number.isFinite(p.wallTime) || typeof p.value !== 'number') {
      throw invalidArgument(
        `metric ${p.key}: step and wallTime must be finite numbers and value a number`,
        p.key,
      )
    }
  }
  if (points.length === 0) return
  const insert = c.stmt(
    'INSERT INTO metrics (run_id, key, step, wall_time, value) VALUES (?, ?, ?, ?, ?)',
  )
  c.db.transaction(() => {
    c.requireRun(runId)
    // NaN is stored as NULL by SQLite; metricSeries turns NULL back into NaN.
    for (const p of points) {
      insert.run(runId, p.key, p.step, p.wallTime, Number.isNaN(p.value) ? null : p.value)
    }
  })()
}

export function metricKeys(c: Connection, runId: number): string[] {
  c.requireRun(runId)
  return c
    .stmt('SELECT DISTINCT key FROM metrics WHERE run_id = ? ORDER BY key')
    .pluck()
    .all(runId) as string[]
}

export function metricSeries(
  c: Connection,
  runId: number,
  key: string,
  maxPoints?: number,
): MetricPoint[] {
  if (maxPoints !== undefined) downsampleMinMax([], maxPoints) // validates maxPoints
  c.requireRun(runId)
  const rows = c
    .stmt(
      'SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step, rowid',
    )
    .raw()
    .all(runId, key) as [number, number, number | null][]
  const points = rows.map(([step, wallTime, value]) => ({
    step,
    wallTime,
    value: value ?? Number.NaN,
  }))
  return maxPoints === undefined ? points : downsampleMinMax(points, maxPoints)
}

// Artifacts

function toArtifact(c: Connection, row: ArtifactRow): ArtifactInfo {
  const where = `artifact ${row.id}`
  const shape = row.shape === null ? null : parseJson(c.path, `${where} shape`, row.shape)
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind,
    name: row.name,
    dtype: isDtype(row.dtype) ? row.dtype : null,
    shape: Array.isArray(shape) ? (shape as number[]) : null,
    meta: parseJson(c.path, `${where} meta`, row.meta),
    bytes: row.bytes,
  }
}

export function artifactMeta(c: Connection, artifactId: number): ArtifactInfo {
  const row = c.stmt(`SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE id = ?`).get(artifactId) as
    ArtifactRow | undefined
  if (!row) throw c.notFound('artifact', artifactId)
  return toArtifact(c, row)
}

export function addArtifact(
  c: Connection,
  runId: number,
  kind: string,
  name: string,
  meta: unknown,
  tensor: StoredTensor | null,
): ArtifactInfo {
  const artifactKind = nonEmptyName(kind, 'kind')
  const artifactName = nonEmptyName(name, 'name')
  const encoded = tensor ? encodeTensor(tensor, `artifact ${artifactName}`) : null
  const metaJson = toJson(meta, 'meta')
  return c.db.transaction(() => {
    c.requireRun(runId)
    const result = c
      .stmt(
        `INSERT INTO artifacts (run_id, kind, name, meta, dtype, shape, data, bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        artifactKind,
        artifactName,
        metaJson,
        encoded?.dtype ?? null,
        encoded?.shape ?? null,
        encoded?.data ?? null,
        encoded?.bytes ?? 0,
      )
    return artifactMeta(c, Number(result.lastInsertRowid))
  })()
}

export function listArtifacts(c: Connection, runId: number): ArtifactInfo[] {
  c.requireRun(runId)
  const rows = c
    .stmt(`SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE run_id = ? ORDER BY id`)
    .all(runId) as ArtifactRow[]
  return rows.map((r) => toArtifact(c, r))
}

export function readArtifactTensor(c: Connection, artifactId: number): StoredTensor | null {
  const row = c.stmt('SELECT dtype, shape, data FROM artifacts WHERE id = ?').get(artifactId) as
    { dtype: string | null; shape: string | null; data: Buffer | null } | undefined
  if (!row) throw c.notFound('artifact', artifactId)
  if (row.dtype === null) return null
  return decodeTensor(c.path, `artifact ${artifactId}`, row.dtype, row.shape, row.data)
}
