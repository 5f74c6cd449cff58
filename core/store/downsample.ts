import { BasiscopeError } from '../errors.ts'
import type { MetricPoint } from '../api/records.ts'

/** NaN counts as the most extreme value, so a divergence shows up on a downsampled chart. */
function above(a: number, b: number): boolean {
  if (Number.isNaN(a)) return !Number.isNaN(b)
  return a > b
}

function below(a: number, b: number): boolean {
  return above(b, a)
}

/**
 * Min/max-preserving downsampling of a series already in step order: keeps the first and the
 * last point and splits the points between them into equal-count buckets, keeping each
 * bucket's minimum and maximum (one point if they coincide) in their original order. The
 * result has at most `maxPoints` points, is in step order, and keeps every spike that is a
 * bucket's extreme, including the global minimum and maximum.
 */
export function downsampleMinMax(points: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new BasiscopeError(
      'INVALID_ARGUMENT',
      `maxPoints must be an integer of at least 2, got ${maxPoints}`,
      'maxPoints',
    )
  }
  const n = points.length
  if (n <= maxPoints) return points.slice()
  const inner = n - 2
  const buckets = Math.floor((maxPoints - 2) / 2)
  const out: MetricPoint[] = [points[0]]
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets)
    const end = 1 + Math.floor(((b + 1) * inner) / buckets)
    if (start >= end) continue
    let lo = start
    let hi = start
    for (let i = start + 1; i < end; i++) {
      const v = points[i].value
      if (below(v, points[lo].value)) lo = i
      if (above(v, points[hi].value)) hi = i
    }
    if (lo === hi) out.push(points[lo])
    else if (lo < hi) out.push(points[lo], points[hi])
    else out.push(points[hi], points[lo])
  }
  out.push(points[n - 1])
  return out
}
