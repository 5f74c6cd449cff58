/**
 * Colormaps as 256-entry RGBA lookup tables (Uint8ClampedArray, 4 bytes per entry), so a
 * heatmap pixel is one table read. Sequential maps are perceptually uniform (viridis,
 * magma: equal steps in value look like equal steps in colour, and they print in grey);
 * the diverging map is for signed data centred on 0 (rotations, templates).
 */
export type ColormapName = 'viridis' | 'magma' | 'diverging' | 'gray'

export const LUT_SIZE = 256

type Rgb = readonly [number, number, number]

/**
 * Degree-6 polynomial fits of matplotlib's viridis and magma (Matt Zucker, CC0): within
 * about 1/255 of the published tables, without shipping the tables.
 */
const POLY: Record<'viridis' | 'magma', readonly Rgb[]> = {
  viridis: [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537767095, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ],
  magma: [
    [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933],
    [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
    [8.353717279216625, -3.577719514958484, 0.3144679030132573],
    [-27.66873308576866, 14.26473078096533, -13.64921318813922],
    [52.17613981234068, -27.94360607168351, 12.94416944238394],
    [-50.76852536473588, 29.04658282127291, 4.23415299384598],
    [18.65570506591883, -11.48977351997711, -5.601961508734096],
  ],
}

/** ColorBrewer RdBu, reversed: negative blue, zero near-white, positive red. */
const DIVERGING_STOPS: readonly Rgb[] = [
  [33, 102, 172],
  [103, 169, 207],
  [247, 247, 247],
  [239, 138, 98],
  [178, 24, 43],
]

function polynomial(c: readonly Rgb[], t: number): Rgb {
  const out = [0, 0, 0]
  for (let ch = 0; ch < 3; ch++) {
    let v = 0
    for (let k = c.length - 1; k >= 0; k--) v = v * t + c[k][ch]
    out[ch] = Math.round(255 * Math.min(1, Math.max(0, v)))
  }
  return out as unknown as Rgb
}

function piecewise(stops: readonly Rgb[], t: number): Rgb {
  const x = t * (stops.length - 1)
  const i = Math.min(stops.length - 2, Math.floor(x))
  const f = x - i
  const a = stops[i]
  const b = stops[i + 1]
  return [0, 1, 2].map((ch) => Math.round(a[ch] + (b[ch] - a[ch]) * f)) as unknown as Rgb
}

function build(name: ColormapName): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(LUT_SIZE * 4)
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = i / (LUT_SIZE - 1)
    const [r, g, b] =
      name === 'diverging'
        ? piecewise(DIVERGING_STOPS, t)
        : name === 'gray'
          ? ([Math.round(255 * t), Math.round(255 * t), Math.round(255 * t)] as const)
          : polynomial(POLY[name], t)
    lut[i * 4] = r
    lut[i * 4 + 1] = g
    lut[i * 4 + 2] = b
    lut[i * 4 + 3] = 255
  }
  return lut
}

const cache = new Map<ColormapName, Uint8ClampedArray>()

/** The LUT of a colormap (built once, shared). Entry i is the colour of t = i / 255. */
export function colormapLut(name: ColormapName): Uint8ClampedArray {
  let lut = cache.get(name)
  if (!lut) cache.set(name, (lut = build(name)))
  return lut
}

/** CSS colour of t ∈ [0, 1] (clamped) in a colormap. */
export function colorAt(name: ColormapName, t: number): string {
  const lut = colormapLut(name)
  const i = Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1)) * 4
  return `rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]})`
}

/** `n` evenly spaced CSS colours of a colormap, for gradients (SVG stops, colorbars). */
export function colorStops(name: ColormapName, n = 16): string[] {
  return Array.from({ length: n }, (_, i) => colorAt(name, i / (n - 1)))
}
