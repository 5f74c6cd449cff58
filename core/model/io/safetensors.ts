/**
 * The safetensors format, read and written by hand (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes]  N, the header length, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON: {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
 *              ..., "__metadata__": {"<key>": "<string>"}}, possibly padded with trailing spaces
 *   [rest]     the data buffer; data_offsets are relative to its start, little-endian values
 *
 * Reading validates everything a broken or hostile file could get wrong and names the tensor
 * in every message. Writing pads the header to 8-byte alignment and replaces the target file
 * atomically.
 */
import {
  describeJson,
  errorMessage,
  formatShape,
  isNonNegativeInteger,
  isPlainObject,
} from '../../data/checks.ts'
import { withRegularFile } from '../../data/read-file.ts'
import { writeFileAtomic } from '../../data/write-file.ts'
import { BasiscopeError, fileError } from '../../errors.ts'
import {
  DTYPE_BYTES,
  DTYPES,
  LITTLE_ENDIAN_HOST,
  type SafetensorsDtype,
  type TensorData,
  copyLittleEndian,
  swapBytes,
  typedView,
} from './safetensors-dtypes.ts'

export {
  DTYPE_BYTES,
  type SafetensorsDtype,
  type TensorData,
  halfToNumber,
} from './safetensors-dtypes.ts'

export interface SafetensorsTensor {
  /** The dtype as stored in the file (F16/BF16 data is already widened to float32). */
  readonly dtype: SafetensorsDtype
  readonly shape: number[]
  /** Row-major values in their own (aligned) buffer. */
  readonly data: TensorData
}

export interface SafetensorsContents {
  /** In header order, except that JSON.parse lists integer-like names ("0", "2") first. */
  readonly tensors: Map<string, SafetensorsTensor>
  readonly metadata: Record<string, string>
}

/** The dtypes encodeSafetensors writes. */
export type WritableDtype = 'F64' | 'F32' | 'I32' | 'U8'

export interface TensorToWrite {
  readonly name: string
  readonly dtype: WritableDtype
  readonly shape: readonly number[]
  /** Row-major; the typed array must match the dtype (F32 → Float32Array, …). */
  readonly data: Float64Array | Float32Array | Int32Array | Uint8Array
}

// ---------------------------------------------------------------- reading

/** The largest safetensors header read: 100 MB, as the reference implementation bounds it. */
export const MAX_HEADER_BYTES = 100_000_000
/** The largest safetensors file read: 2 GiB (an MLP this tool handles is far smaller). */
export const MAX_SAFETENSORS_BYTES = 2 * 1024 ** 3 - 1

/**
 * Reads a safetensors file through the checked reader: the 8-byte length, then the header it
 * declares, then exactly the data the header's offsets tile — a header whose sizes disagree
 * with the file is refused before its data is read.
 */
export function readSafetensors(file: string): SafetensorsContents {
  return withRegularFile(file, (f) => {
    if (f.size > MAX_SAFETENSORS_BYTES) {
      throw fileError(
        file,
        `is ${f.size} bytes, more than the ${MAX_SAFETENSORS_BYTES} allowed for a safetensors model`,
      )
    }
    const n = headerLength(file, f.read(0, Math.min(f.size, 8)), f.size)
    const layout = parseLayout(file, f.read(8, n), f.size - 8 - n)
    return {
      tensors: decodeTensors(layout.entries, f.read(8 + n, f.size - 8 - n)),
      metadata: layout.metadata,
    }
  })
}

/** Parses safetensors bytes; `file` only names the source in error messages. */
export function decodeSafetensors(
  bytes: Uint8Array,
  file = '<safetensors bytes>',
): SafetensorsContents {
  const n = headerLength(file, bytes, bytes.length)
  const layout = parseLayout(file, bytes.subarray(8, 8 + n), bytes.length - 8 - n)
  return {
    tensors: decodeTensors(layout.entries, bytes.subarray(8 + n)),
    metadata: layout.metadata,
  }
}

/** One tensor's place in the data buffer, as the header declares it. */
interface Entry {
  name: string
  dtype: SafetensorsDtype
  shape: number[]
  begin: number
  end: number
}

/** N, the header length, from the first 8 bytes of a `total`-byte file, checked against it. */
function headerLength(file: string, prefix: Uint8Array, total: number): number {
  if (total < 8 || prefix.length < 8) {
    throw fileError(
      file,
      `file is ${total} bytes, too short for a safetensors file (needs at least the 8-byte header length)`,
    )
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8)
  const headerLength = view.getBigUint64(0, true)
  if (headerLength > BigInt(total - 8)) {
    throw fileError(
      file,
      `header length ${headerLength} runs past the end of the file (${total} bytes, so at most ${total - 8} bytes of header)`,
    )
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw fileError(
      file,
      `header length ${headerLength} is more than the ${MAX_HEADER_BYTES} bytes a safetensors header may have`,
    )
  }
  return Number(headerLength)
}

/** The header's tensors and metadata, checked to tile a data buffer of `bufferLength` bytes. */
function parseLayout(
  file: string,
  headerBytes: Uint8Array,
  bufferLength: number,
): { entries: Entry[]; metadata: Record<string, string> } {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes)
  } catch {
    throw fileError(file, 'header is not valid UTF-8')
  }
  let header: unknown
  try {
    header = JSON.parse(text)
  } catch (e) {
    throw fileError(file, `header is not JSON: ${errorMessage(e)}`)
  }
  if (!isPlainObject(header)) {
    throw fileError(file, `header is not a JSON object (got ${describeJson(header)})`)
  }

  const metadata = parseMetadata(file, header.__metadata__)

  const entries: Entry[] = []
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue
    const where = `tensor "${name}"`
    if (!isPlainObject(raw)) throw fileError(file, `${where}: entry is not an object`)
    if (raw.dtype === undefined) throw fileError(file, `${where}: missing "dtype"`)
    if (raw.shape === undefined) throw fileError(file, `${where}: missing "shape"`)
    if (raw.data_offsets === undefined) throw fileError(file, `${where}: missing "data_offsets"`)
    const dtype = raw.dtype
    if (typeof dtype !== 'string' || !(DTYPES as string[]).includes(dtype)) {
      throw fileError(
        file,
        `${where}: unknown dtype ${JSON.stringify(dtype)} (supported: ${DTYPES.join(', ')})`,
      )
    }
    const shape = raw.shape
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      throw fileError(
        file,
        `${where}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
      )
    }
    const offsets = raw.data_offsets
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(isNonNegativeInteger) ||
      offsets[0] > offsets[1]
    ) {
      throw fileError(
        file,
        `${where}: "data_offsets" must be [begin, end] with integers 0 ≤ begin ≤ end, got ${JSON.stringify(offsets)}`,
      )
    }
    const [begin, end] = offsets as [number, number]
    if (end > bufferLength) {
      throw fileError(
        file,
        `${where}: data_offsets [${begin}, ${end}] run past the end of the data buffer (${bufferLength} bytes)`,
      )
    }
    const t = dtype as SafetensorsDtype
    const needed = (shape as number[]).reduce((p, d) => p * d, 1) * DTYPE_BYTES[t]
    if (end - begin !== needed) {
      throw fileError(
        file,
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape ${formatShape(shape as number[])} of ${t} needs ${needed}`,
      )
    }
    entries.push({ name, dtype: t, shape: shape as number[], begin, end })
  }

  // The byte ranges must tile the buffer exactly: no overlaps, no holes, nothing left over.
  const spans = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin)
  let covered = 0
  let previous: Entry | undefined
  for (const s of spans) {
    if (s.begin < covered && previous) {
      throw fileError(
        file,
        `tensor "${s.name}": data_offsets [${s.begin}, ${s.end}] overlap tensor "${previous.name}" at [${previous.begin}, ${previous.end}]`,
      )
    }
    if (s.begin > covered) {
      throw fileError(
        file,
        `data buffer bytes [${covered}, ${s.begin}) belong to no tensor (before tensor "${s.name}")`,
      )
    }
    covered = s.end
    previous = s
  }
  if (covered < bufferLength) {
    throw fileError(
      file,
      `data buffer has ${bufferLength - covered} unused trailing bytes (tensors end at ${covered}, the buffer holds ${bufferLength})`,
    )
  }

  return { entries, metadata }
}

/** The tensors' values, each copied out of `data` (the buffer after the header). */
function decodeTensors(
  entries: readonly Entry[],
  data: Uint8Array,
): Map<string, SafetensorsTensor> {
  const tensors = new Map<string, SafetensorsTensor>()
  for (const e of entries) {
    const raw = copyLittleEndian(data.subarray(e.begin, e.end), DTYPE_BYTES[e.dtype])
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: typedView(e.dtype, raw) })
  }
  return tensors
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  const entries: [string, string][] = []
  if (raw === undefined || raw === null) return {}
  if (!isPlainObject(raw)) {
    throw fileError(file, `"__metadata__" must be an object of strings, got ${describeJson(raw)}`)
  }
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') {
      throw fileError(
        file,
        `"__metadata__" must map strings to strings, but "${k}" is ${describeJson(v)}`,
      )
    }
    entries.push([k, v])
  }
  // fromEntries defines own properties, so even a "__proto__" key stays plain data.
  return Object.fromEntries(entries)
}

// ---------------------------------------------------------------- writing

const WRITE_ARRAY: Record<WritableDtype, { name: string; test: (d: unknown) => boolean }> = {
  F64: { name: 'Float64Array', test: (d) => d instanceof Float64Array },
  F32: { name: 'Float32Array', test: (d) => d instanceof Float32Array },
  I32: { name: 'Int32Array', test: (d) => d instanceof Int32Array },
  U8: { name: 'Uint8Array', test: (d) => d instanceof Uint8Array },
}

/**
 * Encodes tensors as safetensors bytes. Tensors are laid out by decreasing element size
 * (stable, so same-size tensors keep the given order), as the reference implementation does,
 * so every tensor starts at a multiple of its element size; the header lists them in that
 * order after `__metadata__` (present only when `metadata` is given) and is padded with
 * spaces so the data buffer starts at an 8-byte boundary. Bad input throws INVALID_ARGUMENT.
 */
export function encodeSafetensors(
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string>,
): Buffer {
  const seen = new Set<string>()
  tensors.forEach((t, i) => {
    const where = `tensors[${i}]`
    const bad = (problem: string): BasiscopeError =>
      new BasiscopeError('INVALID_ARGUMENT', `${where} ("${t.name}"): ${problem}`, where)
    if (typeof t.name !== 'string' || t.name === '' || t.name === '__metadata__') {
      throw bad('name must be a non-empty string other than "__metadata__"')
    }
    if (seen.has(t.name)) throw bad('duplicate tensor name')
    seen.add(t.name)
    if (!Object.hasOwn(WRITE_ARRAY, t.dtype)) {
      throw bad(`dtype ${JSON.stringify(t.dtype)} cannot be written (use F64, F32, I32 or U8)`)
    }
    const expected = WRITE_ARRAY[t.dtype]
    if (!expected.test(t.data)) {
      throw bad(`dtype ${t.dtype} needs a ${expected.name}, got ${t.data?.constructor?.name}`)
    }
    if (!Array.isArray(t.shape) || !t.shape.every(isNonNegativeInteger)) {
      throw bad(`shape must be an array of non-negative integers, got ${JSON.stringify(t.shape)}`)
    }
    const numel = t.shape.reduce((p, d) => p * d, 1)
    if (numel !== t.data.length) {
      throw bad(`shape ${formatShape(t.shape)} has ${numel} elements but data has ${t.data.length}`)
    }
  })
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new BasiscopeError(
          'INVALID_ARGUMENT',
          `metadata "${k}" must be a string, got ${describeJson(v)}`,
          `metadata.${k}`,
        )
      }
    }
  }

  const ordered = tensors
    .map((t, i) => ({ t, i }))
    .sort((a, b) => DTYPE_BYTES[b.t.dtype] - DTYPE_BYTES[a.t.dtype] || a.i - b.i)
    .map((x) => x.t)

  const header: Record<string, unknown> = {}
  if (metadata !== undefined) header.__metadata__ = { ...metadata }
  let offset = 0
  for (const t of ordered) {
    const end = offset + t.data.byteLength
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, end] }
    offset = end
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const headerLength = Math.ceil(json.length / 8) * 8
  const out = Buffer.alloc(8 + headerLength + offset)
  out.writeBigUInt64LE(BigInt(headerLength), 0)
  json.copy(out, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength)
  let at = 8 + headerLength
  for (const t of ordered) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)
    out.set(bytes, at)
    if (!LITTLE_ENDIAN_HOST && t.data.BYTES_PER_ELEMENT > 1) {
      swapBytes(out.subarray(at, at + bytes.length), t.data.BYTES_PER_ELEMENT)
    }
    at += bytes.length
  }
  return out
}

/**
 * Writes a safetensors file atomically: the bytes go to `${file}.tmp-<pid>-<random>` in the
 * same directory, are fsynced, and only then renamed over `file`, so a crash leaves either the
 * old file or the complete new one, never a half-written one.
 */
export function writeSafetensors(
  file: string,
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata))
}
