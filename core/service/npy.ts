/**
 * NumPy's `.npy` format, version 1.0 (numpy.org/neps/nep-0001-npy-format.html): the magic
 * `\x93NUMPY`, version bytes 1 0, a little-endian uint16 header length, an ASCII Python dict
 * literal `{'descr': '<f4', 'fortran_order': False, 'shape': (r, c), }` padded with spaces
 * and ended by '\n' so that the data starts at a multiple of 64 bytes, then the elements in
 * C (row-major) order. Only little-endian float32 is written: what `np.load` needs for the
 * rotations and weights, with no pickle anywhere.
 */

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) // \x93NUMPY
/** Magic, version and the header-length field. */
const PREAMBLE_BYTES = MAGIC.length + 2 + 2
const ALIGNMENT = 64

/** The shape as a Python tuple literal: `()`, `(3,)`, `(3, 4)`. */
function shapeTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`
  return `(${shape.join(', ')})`
}

/** The header dict, padded so that the data starts aligned. */
function headerText(shape: readonly number[]): string {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeTuple(shape)}, }`
  const unpadded = PREAMBLE_BYTES + dict.length + 1
  const padding = (ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT
  return `${dict}${' '.repeat(padding)}\n`
}

/** A float32 tensor as the bytes of a `.npy` v1.0 file. */
export function encodeNpy(shape: readonly number[], data: Float32Array): Buffer {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`npy: shape entries must be non-negative integers, got [${shape}]`)
    }
  }
  const count = shape.reduce((a, b) => a * b, 1)
  if (count !== data.length) {
    throw new RangeError(`npy: shape [${shape}] has ${count} elements, the data ${data.length}`)
  }
  const header = headerText(shape)
  if (header.length > 0xffff) throw new RangeError('npy: header too long for version 1.0')
  const out = Buffer.alloc(PREAMBLE_BYTES + header.length + data.length * 4)
  MAGIC.copy(out, 0)
  out[6] = 1
  out[7] = 0
  out.writeUInt16LE(header.length, 8)
  out.write(header, PREAMBLE_BYTES, 'latin1')
  const body = PREAMBLE_BYTES + header.length
  for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], body + i * 4)
  return out
}
