import type { Mat } from '../../linalg/matrix.ts'

/**
 * Fixes the sign of each row (basis direction) so its largest-magnitude entry is positive
 * (the first such entry on ties): eigenvectors are defined up to sign, and a canonical
 * choice makes initializations reproducible across platforms. In place; returns `r`.
 */
export function canonicalSigns(r: Mat): Mat {
  for (let i = 0; i < r.rows; i++) {
    let best = 0
    for (let j = 0; j < r.cols; j++) {
      const v = r.data[i * r.cols + j]
      if (Math.abs(v) > Math.abs(best) + 1e-12) best = v
    }
    if (best < 0) for (let j = 0; j < r.cols; j++) r.data[i * r.cols + j] *= -1
  }
  return r
}
