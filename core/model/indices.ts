/**
 * The network's two index spaces, kept apart by type (DESIGN.md §1). An MLP with L weight
 * layers has activation spaces 0..L (a_0 = x … a_L = logits) and weight layers 1..L, layer
 * k mapping space k−1 to space k: J_k = R_k·D_k·W_k·R_{k−1}ᵀ. Bases, widths (`sizes`) and
 * a Jacobian's sides are indexed by space; layer data, held-out metrics and objectives by
 * layer, in 0-based lists whose entry k−1 is layer k. Both are plain numbers at run time
 * (they go into JSON and index arrays); the brand only keeps a layer from being passed where
 * a space is meant, and the ±1 between them is written here, once, by name.
 * (The shape is Excalidraw's math package: branded numbers, small pure functions.)
 */

/** An activation space, 0 (the input) … L (the logits). */
export type Space = number & { readonly _brand: 'basiscope__Space' }
/** A weight layer, 1 … L. */
export type Layer = number & { readonly _brand: 'basiscope__Layer' }

/** A number known to name an activation space (a literal, a stored index). */
export const asSpace = (index: number): Space => index as Space
/** A number known to name a weight layer (1-based, as summaries and artifact names write it). */
export const asLayer = (index: number): Layer => index as Layer

/** Several spaces at once (stage lists, tests). */
export const asSpaces = (...indices: number[]): Space[] => indices.map(asSpace)
/** Several layers at once. */
export const asLayers = (...indices: number[]): Layer[] => indices.map(asLayer)

/** The space layer k reads: k−1. */
export const layerIn = (k: Layer): Space => asSpace(k - 1)
/** The space layer k writes: k. */
export const layerOut = (k: Layer): Space => asSpace(k)

/** The layer that writes space s (s ≥ 1): layer s. */
export const writerOf = (s: Space): Layer => asLayer(s)
/** The layer that reads space s (s < L): layer s+1. */
export const readerOf = (s: Space): Layer => asLayer(s + 1)

/** The layer at position i of a per-layer list: i+1. */
export const layerAt = (i: number): Layer => asLayer(i + 1)
/** Layer k's entry of a per-layer list (entry k−1). */
export const atLayer = <T>(perLayer: readonly T[], k: Layer): T => perLayer[k - 1]

/** Layers 1 … count. */
export const layerRange = (count: number): Layer[] =>
  Array.from({ length: count }, (_, i) => layerAt(i))
/** The hidden spaces of a network with `layerCount` layers: 1 … L−1. */
export const hiddenSpaces = (layerCount: number): Space[] =>
  Array.from({ length: Math.max(0, layerCount - 1) }, (_, i) => asSpace(i + 1))

/** Maps a per-space list (widths, bases), handing each entry its space. */
export const mapSpaces = <T, U>(perSpace: readonly T[], f: (entry: T, s: Space) => U): U[] =>
  perSpace.map((entry, i) => f(entry, asSpace(i)))
/** Maps a per-layer list (layer data, evaluations), handing each entry its layer. */
export const mapLayers = <T, U>(perLayer: readonly T[], f: (entry: T, k: Layer) => U): U[] =>
  perLayer.map((entry, i) => f(entry, layerAt(i)))
