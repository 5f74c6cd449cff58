/**
 * How the explorer names what it shows: the units along a Jacobian's rows and columns in a
 * basis, and where a column of layer 1 reads the image.
 */

/**
 * The units of activation space `space` (0 = pixels … `layers` = logits) in a basis: in
 * the learned bases only the spaces the run freed are directions; the others stay units.
 */
export function unitName(
  space: number,
  layers: number,
  basis: 'neuron' | 'learned',
  free: readonly number[],
): string {
  const where = space === 0 ? 'input' : space === layers ? 'logit' : `h${space}`
  if (basis === 'learned' && free.includes(space)) return `${where} direction`
  if (space === 0) return 'pixel'
  return space === layers ? 'logit' : `${where} neuron`
}

/** For a map whose columns are the pixels of a width×height image: where column c reads. */
export function pixelOf(width: number, height: number, cols: number) {
  return cols === width * height
    ? (cell: { col: number }) => `pixel x ${cell.col % width}, y ${Math.floor(cell.col / width)}`
    : null
}
