import { LUT_SIZE } from './colormaps.ts'

/**
 * Small images (28×28 digits, input templates) packed into one RGBA buffer, so a grid of
 * many tiles is one canvas and one putImageData instead of one canvas per tile.
 */
export interface TileGrid {
  readonly width: number
  readonly height: number
  readonly perRow: number
  readonly gap: number
}

/** Pixel size of `count` tiles of w×h in rows of `perRow` with `gap` px between them. */
export function tileGridSize(count: number, g: TileGrid): { width: number; height: number } {
  const cols = Math.max(1, Math.min(count, g.perRow))
  const rows = Math.max(1, Math.ceil(count / g.perRow))
  return {
    width: cols * g.width + (cols - 1) * g.gap,
    height: rows * g.height + (rows - 1) * g.gap,
  }
}

/**
 * Paints tiles t = 0…count−1 (tile t is values[offset + t·w·h …], row-major) into `out`
 * (RGBA, the grid's size). Values map to the LUT over [lo, hi]; the gaps stay transparent.
 */
export function paintTiles(
  out: Uint8ClampedArray,
  values: ArrayLike<number>,
  offset: number,
  count: number,
  g: TileGrid,
  lut: Uint8ClampedArray,
  lo: number,
  hi: number,
): void {
  const size = tileGridSize(count, g)
  const span = hi - lo || 1
  const top = LUT_SIZE - 1
  for (let t = 0; t < count; t++) {
    const x0 = (t % g.perRow) * (g.width + g.gap)
    const y0 = Math.floor(t / g.perRow) * (g.height + g.gap)
    const base = offset + t * g.width * g.height
    for (let y = 0; y < g.height; y++) {
      let o = ((y0 + y) * size.width + x0) * 4
      for (let x = 0; x < g.width; x++, o += 4) {
        const v = values[base + y * g.width + x]
        const i = Math.round(Math.min(1, Math.max(0, (v - lo) / span)) * top) * 4
        out[o] = lut[i]
        out[o + 1] = lut[i + 1]
        out[o + 2] = lut[i + 2]
        out[o + 3] = 255
      }
    }
  }
}
