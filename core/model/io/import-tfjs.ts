/**
 * Imports an MLP from a TensorFlow.js LayersModel: `model.json` holding `modelTopology`
 * (Keras JSON) and `weightsManifest`, plus the binary shard files it lists.
 *
 * Topology: `modelTopology` is `{class_name, config}` or wraps it as `{model_config: …}`;
 * the class is Sequential (config.layers, or a bare layer array as older Keras wrote it) or a
 * functional Model/Functional whose config.layers are taken in listed order. Dense layers
 * make the MLP; InputLayer, Flatten and Dropout are skipped (Flatten only where its input
 * flattens to the next Dense's input); any other layer class is an error.
 *
 * Activations: every hidden Dense must use the same one of relu, tanh, gelu. The last Dense
 * must be linear, or softmax: softmax is accepted and the logits before it are what we
 * import, because the method studies the Jacobians of the logits. A model with a single
 * Dense layer has no hidden activation; it is reported as relu (which then applies nowhere).
 *
 * Weights: each manifest group's shard files (relative to model.json's directory) are
 * concatenated in order and hold the group's weights back to back in manifest order, little
 * endian. Used weights must be float32 (no quantization). Keras kernels are [in, out] and are
 * transposed to our [out, in]; `use_bias: false` gives a zero bias.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileError } from '../../errors.ts'
import type { Activation, DenseLayer, MlpParams } from '../mlp.ts'
import { ACTIVATIONS } from '../mlp.ts'
import { formatShape } from './safetensors.ts'

interface ManifestWeight {
  readonly name: string
  readonly shape: number[]
  readonly dtype: string
  readonly quantization: unknown
  readonly group: number
  readonly offset: number
  /** undefined when the dtype's size is unknown (only an error if such a weight is needed). */
  readonly byteLength: number | undefined
}

interface WeightGroup {
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

export function importTfjsModel(modelJsonFile: string): MlpParams {
  const file = modelJsonFile
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw fileError(file, `cannot read model.json: ${errorMessage(e)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw fileError(file, `not JSON: ${errorMessage(e)}`)
  }
  if (!isObject(json))
    throw fileError(file, 'not a tfjs model.json: the top level is not an object')

  const layers = topologyLayers(file, json.modelTopology)
  const { weights, groups } = parseManifest(file, json.weightsManifest)
  const dir = path.dirname(path.resolve(file))

  const dense: DenseLayer[] = []
  const denseNames: string[] = []
  const denseActivations: string[] = []
  /** Feature shape (without the batch axis) flowing into the next layer; undefined if unknown. */
  let shape: number[] | undefined
  let shapeFrom = 'the input'

  layers.forEach((raw, i) => {
    if (!isObject(raw)) throw fileError(file, `modelTopology layer #${i} is not an object`)
    const className = typeof raw.class_name === 'string' ? raw.class_name : '?'
    const config = isObject(raw.config) ? raw.config : {}
    const name =
      typeof config.name === 'string'
        ? config.name
        : typeof raw.name === 'string'
          ? raw.name
          : `#${i}`
    const label = `layer "${name}" (${className})`
    if (shape === undefined && dense.length === 0) {
      const declared = declaredInputShape(config)
      if (declared !== undefined) {
        shape = declared
        shapeFrom = `the input shape declared by ${label}`
      }
    }
    switch (className) {
      case 'InputLayer':
        return
      case 'Dropout':
        return
      case 'Flatten': {
        if (shape !== undefined) {
          if (config.data_format === 'channels_first' && shape.length >= 2 && shape[0] !== 1) {
            throw fileError(
              file,
              `${label}: data_format channels_first on input ${formatShape(shape)} reorders the features; only channels_last (or a single channel) is supported`,
            )
          }
          shape = [shape.reduce((p, d) => p * d, 1)]
          shapeFrom = `${label}`
        }
        return
      }
      case 'Dense': {
        const units = config.units
        if (!isPositiveInteger(units)) {
          throw fileError(
            file,
            `${label}: "units" must be a positive integer, got ${JSON.stringify(units)}`,
          )
        }
        const activation = config.activation ?? 'linear'
        if (typeof activation !== 'string') {
          throw fileError(
            file,
            `${label}: activation must be a name such as "relu", got ${JSON.stringify(activation)}`,
          )
        }
        const useBias = config.use_bias !== false
        if (shape !== undefined && shape.length !== 1) {
          throw fileError(
            file,
            `${label} receives features of shape ${formatShape(shape)} from ${shapeFrom}; a Dense layer on more than one axis is not an MLP layer (add a Flatten before it)`,
          )
        }
        const kernelEntry = findWeight(file, weights, name, 'kernel', label)
        const kernelShape = kernelEntry.shape
        if (kernelShape.length !== 2 || kernelShape[1] !== units || kernelShape[0] === 0) {
          throw fileError(
            file,
            `${label}: weight "${kernelEntry.name}" has shape ${formatShape(kernelShape)}; expected [in, ${units}]`,
          )
        }
        const inDim = kernelShape[0]
        if (shape !== undefined && shape[0] !== inDim) {
          throw fileError(
            file,
            `${label}: weight "${kernelEntry.name}" has shape ${formatShape(kernelShape)}, expecting input ${inDim}, but ${shapeFrom} outputs ${shape[0]}`,
          )
        }
        const kernel = weightData(file, kernelEntry, groups, dir, label)
        const weight = new Float32Array(units * inDim)
        for (let r = 0; r < inDim; r++) {
          for (let c = 0; c < units; c++) weight[c * inDim + r] = kernel[r * units + c]
        }
        let bias: Float32Array = new Float32Array(units)
        if (useBias) {
          const biasEntry = findWeight(file, weights, name, 'bias', label)
          if (biasEntry.shape.length !== 1 || biasEntry.shape[0] !== units) {
            throw fileError(
              file,
              `${label}: weight "${biasEntry.name}" has shape ${formatShape(biasEntry.shape)}; expected [${units}]`,
            )
          }
          bias = weightData(file, biasEntry, groups, dir, label)
        }
        dense.push({ inDim, outDim: units, weight, bias })
        denseNames.push(label)
        denseActivations.push(activation)
        shape = [units]
        shapeFrom = label
        return
      }
      default:
        throw fileError(
          file,
          `${label}: layer class ${className} is not supported; an MLP may contain only Dense, InputLayer, Flatten and Dropout layers`,
        )
    }
  })

  if (dense.length === 0) throw fileError(file, 'no Dense layers in modelTopology')

  let hidden: Activation = 'relu'
  for (let k = 0; k < dense.length - 1; k++) {
    const a = denseActivations[k]
    if (!(ACTIVATIONS as readonly string[]).includes(a)) {
      throw fileError(
        file,
        `${denseNames[k]}: hidden activation "${a}" is not supported; expected ${ACTIVATIONS.join(', ')}`,
      )
    }
    if (k > 0 && a !== denseActivations[0]) {
      throw fileError(
        file,
        `${denseNames[k]} uses activation "${a}" but ${denseNames[0]} uses "${denseActivations[0]}"; all hidden layers must share one activation`,
      )
    }
    hidden = a as Activation
  }
  const last = denseActivations[dense.length - 1]
  if (last !== 'linear' && last !== 'softmax') {
    throw fileError(
      file,
      `${denseNames[dense.length - 1]} is the output layer and must be linear (or softmax, whose logits are used), got "${last}"`,
    )
  }

  return {
    sizes: [dense[0].inDim, ...dense.map((l) => l.outDim)],
    activation: hidden,
    layers: dense,
  }
}

function topologyLayers(file: string, topology: unknown): unknown[] {
  if (!isObject(topology)) {
    throw fileError(
      file,
      'missing "modelTopology" object; expected a tfjs LayersModel model.json (graph models are not supported)',
    )
  }
  const top = isObject(topology.model_config) ? topology.model_config : topology
  const className = top.class_name
  if (className !== 'Sequential' && className !== 'Model' && className !== 'Functional') {
    throw fileError(
      file,
      `modelTopology class ${JSON.stringify(className)} is not supported; expected Sequential, Model or Functional`,
    )
  }
  const config = top.config
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined
  if (!Array.isArray(layers)) {
    throw fileError(file, `modelTopology (${className}) has no "config.layers" array`)
  }
  return layers
}

function parseManifest(
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
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw fileError(file, `${where} must be an object with "paths" and "weights" arrays`)
    }
    if (!g.paths.every((p) => typeof p === 'string' && p !== '')) {
      throw fileError(file, `${where}.paths must be file names, got ${JSON.stringify(g.paths)}`)
    }
    let offset: number | undefined = 0
    g.weights.forEach((w, wi) => {
      if (!isObject(w) || typeof w.name !== 'string') {
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
      const storedDtype = isObject(q) && typeof q.dtype === 'string' ? q.dtype : dtype
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
function findWeight(
  file: string,
  weights: Map<string, ManifestWeight>,
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
function weightData(
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

function groupBytes(
  file: string,
  group: WeightGroup,
  gi: number,
  dir: string,
  neededBy: string,
): Buffer {
  if (group.bytes) return group.bytes
  const parts: Buffer[] = []
  for (const p of group.paths) {
    const shard = path.resolve(dir, p)
    try {
      parts.push(fs.readFileSync(shard))
    } catch (e) {
      throw fileError(
        shard,
        `cannot read weight shard "${p}" (weight group ${gi} of ${file}), needed by ${neededBy}: ${errorMessage(e)}`,
      )
    }
  }
  group.bytes = Buffer.concat(parts)
  return group.bytes
}

function declaredInputShape(config: Record<string, unknown>): number[] | undefined {
  const raw = config.batch_input_shape ?? config.batch_shape
  if (Array.isArray(raw) && raw.length >= 2) {
    const dims = raw.slice(1)
    return dims.every(isPositiveInteger) ? (dims as number[]) : undefined
  }
  const input = config.input_shape
  if (Array.isArray(input) && input.length >= 1 && input.every(isPositiveInteger)) {
    return input as number[]
  }
  return undefined
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function isPositiveInteger(v: unknown): v is number {
  return isNonNegativeInteger(v) && v > 0
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
