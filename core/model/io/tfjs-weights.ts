import { errorMessage, isNonNegativeInteger, isPlainObject } from '../../data/checks.ts'
import { type RegularFile, resolveInside, withRegularFile } from '../../data/read-file.ts'
import { fileError } from '../../errors.ts'

/**
 * A tfjs model.json's `weightsManifest` and the binary shards it lists: each group's
 * shard files (relative to model.json's folder) concatenated in order hold the group's
 * weights back to back in manifest order, little endian; used weights must be float32.
 */

export interface ManifestWeight {
  readonly name: string
  readonly shape: number[]
  readonly dtype: string
  readonly quantization: unknown
  readonly group: number
  readonly offset: number
  /** undefined when the dtype's size is unknown (only an error if such a weight is needed). */
  readonly byteLength: number | undefined
}

export interface WeightGroup {
  readonly paths: string[]
  /** Bytes the manifest says the group's shards hold; undefined if not computable. */
  readonly byteLength: number | undefined
  bytes?: Buffer
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
}

export function parseManifest(
  file: string,
  manifest: unknown,
): { weights: Map<string, ManifestWeight>; groups: WeightGroup[] } {
  if (!Array.isArray(manifest)) {
    throw fileError(file, 'missing "weightsManifest" array')
  }
  const weights = new Map<string, ManifestWeight>()
  const groups: WeightGroup[] = []
  manifest.forEach((g, gi) => {
    const where = `weightsManifest[${gi}]`
    if (!isPlainObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw fileError(file, `${where} must be an object with "paths" and "weights" arrays`)
    }
    if (!g.paths.every((p) => typeof p === 'string' && p !== '')) {
      throw fileError(file, `${where}.paths must be file names, got ${JSON.stringify(g.paths)}`)
    }
    let offset: number | undefined = 0
    g.weights.forEach((w, wi) => {
      if (!isPlainObject(w) || typeof w.name !== 'string') {
        throw fileError(file, `${where}.weights[${wi}] must be an object with a "name"`)
      }
      const shape = w.shape
      if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
        throw fileError(
          file,
          `weight "${w.name}": "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
        )
      }
      const dtype = typeof w.dtype === 'string' ? w.dtype : 'float32'
      const q = w.quantization
      const storedDtype = isPlainObject(q) && typeof q.dtype === 'string' ? q.dtype : dtype
      const elementBytes = DTYPE_BYTES[storedDtype]
      const numel = (shape as number[]).reduce((p, d) => p * d, 1)
      const byteLength = elementBytes === undefined ? undefined : numel * elementBytes
      if (weights.has(w.name)) {
        throw fileError(file, `weight "${w.name}" appears twice in weightsManifest`)
      }
      weights.set(w.name, {
        name: w.name,
        shape: shape as number[],
        dtype,
        quantization: q,
        group: gi,
        offset: offset ?? NaN,
        byteLength: offset === undefined ? undefined : byteLength,
      })
      offset = offset === undefined || byteLength === undefined ? undefined : offset + byteLength
    })
    groups.push({ paths: g.paths as string[], byteLength: offset })
  })
  return { weights, groups }
}

/** `<layer>/<kind>`, or a unique manifest name ending in `/<layer>/<kind>` (optionally `:0`). */
export function findWeight(
  file: string,
  weights: ReadonlyMap<string, ManifestWeight>,
  layer: string,
  kind: 'kernel' | 'bias',
  label: string,
): ManifestWeight {
  const wanted = `${layer}/${kind}`
  const exact = weights.get(wanted) ?? weights.get(`${wanted}:0`)
  if (exact) return exact
  const suffixed = [...weights.values()].filter(
    (w) => w.name.endsWith(`/${wanted}`) || w.name.endsWith(`/${wanted}:0`),
  )
  if (suffixed.length === 1) return suffixed[0]
  if (suffixed.length > 1) {
    throw fileError(
      file,
      `${label}: weight "${wanted}" is ambiguous in weightsManifest (${suffixed.map((w) => `"${w.name}"`).join(', ')})`,
    )
  }
  const names = [...weights.keys()]
  const listed = names
    .slice(0, 12)
    .map((n) => `"${n}"`)
    .join(', ')
  throw fileError(
    file,
    `${label}: weight "${wanted}" not found in weightsManifest (it has ${names.length === 0 ? 'no weights' : listed}${names.length > 12 ? ', …' : ''})`,
  )
}

/** The float32 values of one weight, copied into an aligned array and checked finite. */
export function weightData(
  file: string,
  w: ManifestWeight,
  groups: WeightGroup[],
  dir: string,
  label: string,
): Float32Array {
  const where = `${label}: weight "${w.name}"`
  if (w.quantization !== undefined && w.quantization !== null) {
    throw fileError(file, `${where} is quantized; only unquantized float32 weights are supported`)
  }
  if (w.dtype !== 'float32') {
    throw fileError(file, `${where} has dtype ${w.dtype}; expected float32`)
  }
  if (w.byteLength === undefined) {
    throw fileError(
      file,
      `${where}: cannot locate it in its shards because an earlier weight in its group has an unknown dtype`,
    )
  }
  const group = groups[w.group]
  const bytes = groupBytes(file, group, w.group, dir, where)
  const shardNames = group.paths.join(', ')
  if (w.offset + w.byteLength > bytes.length) {
    throw fileError(
      file,
      `${where} needs bytes [${w.offset}, ${w.offset + w.byteLength}) of weight group ${w.group}, but its shards (${shardNames}) hold only ${bytes.length} bytes`,
    )
  }
  if (group.byteLength !== undefined && bytes.length > group.byteLength) {
    throw fileError(
      file,
      `weight group ${w.group}'s shards (${shardNames}) hold ${bytes.length} bytes but its manifest weights need ${group.byteLength}; the manifest does not match the weight files`,
    )
  }
  const copy = new Uint8Array(w.byteLength)
  copy.set(bytes.subarray(w.offset, w.offset + w.byteLength))
  const values = new Float32Array(copy.buffer)
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw fileError(file, `${where}: value at flat index ${i} is ${values[i]}`)
    }
  }
  return values
}

/**
 * A group's shards, concatenated: each must resolve inside model.json's folder (issue 13,
 * D3: an absolute or `../` path, or a symlink out, would load any readable file as weights)
 * and be a regular file, and together they may hold no more than the manifest's weights
 * need — checked on their sizes before a byte is read.
 */
function groupBytes(
  file: string,
  group: WeightGroup,
  gi: number,
  dir: string,
  neededBy: string,
): Buffer {
  if (group.bytes) return group.bytes
  const shards = group.paths.map((p) => {
    const shard = resolveInside(dir, p)
    if (shard === null) {
      throw fileError(
        file,
        `weightsManifest[${gi}].paths: shard "${p}" resolves outside the model's folder ${dir}; shards must be files in model.json's folder`,
      )
    }
    return { p, shard, size: shardSize(file, shard, p, gi, neededBy) }
  })
  const total = shards.reduce((sum, s) => sum + s.size, 0)
  const limit = group.byteLength ?? MAX_SHARD_GROUP_BYTES
  if (total > limit) {
    throw fileError(
      file,
      `weight group ${gi}'s shards (${group.paths.join(', ')}) hold ${total} bytes but its manifest weights need ${limit}; the manifest does not match the weight files`,
    )
  }
  group.bytes = Buffer.concat(
    shards.map((s) => withShard(file, s.shard, s.p, gi, neededBy, (f) => f.read(0, s.size))),
  )
  return group.bytes
}

/** The most a group's shards may hold when the manifest cannot say (an unknown dtype): 2 GiB. */
const MAX_SHARD_GROUP_BYTES = 2 * 1024 ** 3 - 1

function shardSize(file: string, shard: string, p: string, gi: number, neededBy: string): number {
  return withShard(file, shard, p, gi, neededBy, (f) => f.size)
}

/** One shard through the checked reader; its errors name the shard, its group and model.json. */
function withShard<T>(
  file: string,
  shard: string,
  p: string,
  gi: number,
  neededBy: string,
  body: (f: RegularFile) => T,
): T {
  try {
    return withRegularFile(shard, body)
  } catch (e) {
    throw fileError(
      shard,
      `cannot read weight shard "${p}" (weight group ${gi} of ${file}), needed by ${neededBy}: ${errorMessage(e).replace(`${shard}: `, '')}`,
    )
  }
}
