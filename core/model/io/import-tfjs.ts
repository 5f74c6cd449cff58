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
import path from 'node:path'
import { readJsonObject } from '../../data/read-file.ts'
import { fileError } from '../../errors.ts'
import {
  type ManifestWeight,
  type WeightGroup,
  findWeight,
  parseManifest,
  weightData,
} from './tfjs-weights.ts'
import { ACTIVATIONS, type Activation } from '../../api/config/sections.ts'
import type { DenseLayer, MlpParams } from '../mlp.ts'
import { formatShape, isPlainObject, isPositiveInteger } from '../../data/checks.ts'

export function importTfjsModel(modelJsonFile: string): MlpParams {
  const file = modelJsonFile
  const json = readModelJson(file)

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
    if (!isPlainObject(raw)) throw fileError(file, `modelTopology layer #${i} is not an object`)
    const className = typeof raw.class_name === 'string' ? raw.class_name : '?'
    const config = isPlainObject(raw.config) ? raw.config : {}
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
        const layer = denseLayer(
          file,
          config,
          name,
          label,
          { weights, groups, dir },
          shape,
          shapeFrom,
        )
        dense.push(layer.dense)
        denseNames.push(label)
        denseActivations.push(layer.activation)
        shape = [layer.dense.outDim]
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

  const hidden = mlpActivation(file, denseNames, denseActivations)

  return {
    sizes: [dense[0].inDim, ...dense.map((l) => l.outDim)],
    activation: hidden,
    layers: dense,
  }
}

function topologyLayers(file: string, topology: unknown): unknown[] {
  if (!isPlainObject(topology)) {
    throw fileError(
      file,
      'missing "modelTopology" object; expected a tfjs LayersModel model.json (graph models are not supported)',
    )
  }
  const top = isPlainObject(topology.model_config) ? topology.model_config : topology
  const className = top.class_name
  if (className !== 'Sequential' && className !== 'Model' && className !== 'Functional') {
    throw fileError(
      file,
      `modelTopology class ${JSON.stringify(className)} is not supported; expected Sequential, Model or Functional`,
    )
  }
  const config = top.config
  const layers = Array.isArray(config) ? config : isPlainObject(config) ? config.layers : undefined
  if (!Array.isArray(layers)) {
    throw fileError(file, `modelTopology (${className}) has no "config.layers" array`)
  }
  return layers
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

/** model.json as an object, or an error naming the file. */
function readModelJson(file: string): Record<string, unknown> {
  return readJsonObject(file, 'INVALID_FILE', 'a tfjs model.json')
}

/** Where a Dense layer's weights are: the manifest's entries, its groups, model.json's folder. */
interface WeightSource {
  readonly weights: ReadonlyMap<string, ManifestWeight>
  readonly groups: WeightGroup[]
  readonly dir: string
}

/**
 * One Dense layer: units and activation from its config, the kernel (Keras [in, out],
 * transposed to our [out, in]) and bias from the shards, checked against the features the
 * layers before it produce (`shape`, from `shapeFrom`).
 */
function denseLayer(
  file: string,
  config: Record<string, unknown>,
  name: string,
  label: string,
  source: WeightSource,
  shape: number[] | undefined,
  shapeFrom: string,
): { dense: DenseLayer; activation: string } {
  const { weights, groups, dir } = source
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
  return { dense: { inDim, outDim: units, weight, bias }, activation }
}

/** The one hidden activation every hidden Dense must share; the output layer must be linear (or softmax). */
function mlpActivation(
  file: string,
  denseNames: readonly string[],
  denseActivations: readonly string[],
): Activation {
  let hidden: Activation = 'relu'
  for (let k = 0; k < denseActivations.length - 1; k++) {
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
  const last = denseActivations[denseActivations.length - 1]
  if (last !== 'linear' && last !== 'softmax') {
    throw fileError(
      file,
      `${denseNames[denseNames.length - 1]} is the output layer and must be linear (or softmax, whose logits are used), got "${last}"`,
    )
  }

  return hidden
}
